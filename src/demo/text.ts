/**
 * Words and sentences the demo data is made of, in English and Chinese, and a seeded PRNG so the
 * same scale always gives the same data.
 */

/** mulberry32: small, fast, good enough for demo data; the same seed gives the same sequence. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** An index into weights, chosen in proportion to them (cumulative: prefix sums). */
  weighted(cumulative: readonly number[]): number {
    const x = this.next() * cumulative[cumulative.length - 1]!;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
  /** A skewed count around a mean (most small, a few large): geometric-like. */
  skewed(mean: number, max: number): number {
    const x = -Math.log(1 - this.next()) * mean;
    return Math.max(1, Math.min(max, Math.round(x)));
  }
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }
}

export const GIVEN_NAMES = [
  'Anna', 'Lukas', 'Marie', 'Jonas', 'Sofia', 'Matteo', 'Elena', 'Pierre', 'Claire', 'Jan', 'Eva', 'Tomas', 'Ingrid', 'Mikael',
  'Laura', 'Pedro', 'Ana', 'Nikos', 'Katarzyna', 'Piotr', 'Somchai', 'Siriporn', 'Nguyen', 'Linh', 'Budi', 'Siti', 'Arjun',
  'Priya', 'Hiroshi', 'Yuki', 'Min-jun', 'Ji-woo', 'Ahmad', 'Nurul', 'Bold', 'Saran', 'Maria', 'José', 'Liam', 'Olivia',
] as const;
export const FAMILY_NAMES = [
  'Müller', 'Schmidt', 'Rossi', 'Dubois', 'Martin', 'Novak', 'Horvath', 'Jansen', 'Nielsen', 'Andersson', 'Silva', 'García',
  'Papadopoulos', 'Kowalski', 'Popescu', 'Srisuk', 'Wongsawat', 'Tran', 'Pham', 'Santoso', 'Rahman', 'Sharma', 'Patel',
  'Tanaka', 'Sato', 'Kim', 'Lee', 'Tan', 'Lim', 'Batbayar', "O'Brien", 'Murphy', 'Smith', 'Borg', 'Camilleri', 'Ozols',
] as const;
export const CHINESE_FAMILY = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭'] as const;
export const CHINESE_GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀英', '海燕', '建华'] as const;

export const COMPANY_WORDS = [
  'Alpine', 'Baltic', 'Coastal', 'Delta', 'Eastern', 'Golden', 'Harbour', 'Jade', 'Lotus', 'Meridian', 'Northern', 'Orchid',
  'Pacific', 'Riverside', 'Silk Road', 'Summit', 'Teak', 'Union', 'Valley', 'Willow', 'Amber', 'Bamboo', 'Cedar', 'Danube',
] as const;
export const COMPANY_TRADES = [
  'Precision Tools', 'Textiles', 'Foods', 'Electronics', 'Machinery', 'Logistics', 'Software', 'Ceramics', 'Organics', 'Solar',
  'Packaging', 'Furniture', 'Medical Devices', 'Coffee Traders', 'Design Studio', 'Water Systems', 'Robotics', 'Tea Company',
] as const;
export const CHINESE_COMPANY_PLACES = ['深圳', '杭州', '苏州', '宁波', '广州', '青岛', '成都', '厦门', '无锡', '佛山'] as const;
export const CHINESE_COMPANY_TRADES = ['精密机械', '电子科技', '纺织品', '绿色食品', '新能源', '物流', '软件技术', '陶瓷', '医疗器械', '家具制造'] as const;

const EN_SENTENCES = [
  'We have been looking for export partners in Europe for our packaging line since last spring.',
  'The fair gave us three serious leads with distributors in Asia and Europe.',
  'Our cooperation with a cluster of small suppliers cut lead times by a third.',
  'Financing the first trade mission was the hardest part; the chamber of commerce helped with a guarantee.',
  'Has anyone worked with a customs broker for machinery parts shipped to Thailand?',
  'We registered our trademark in five ASEM members before showing the product at the fair.',
  'A mentoring programme paired each new exporter with a company that had done it before.',
  'The online marketplace brought small orders from twelve countries in the first year.',
  'Training in e-commerce and digital payments was in high demand among micro enterprises.',
  'We share a booth with two partners from the same region to split the travel costs.',
  'The innovation voucher covered half of the prototype and the testing at a university lab.',
  'Environmental certification opened doors with buyers who audit their supply chain.',
  'Our apprentices now run the quality checks on the export orders themselves.',
  'Local government offered a one-stop desk for permits, which saved weeks of paperwork.',
  'Could the organizer publish the hall plan earlier so we can plan the shipment of samples?',
  'We are interested in joint ventures with food processors who know the European rules.',
  'The match-making sessions on the second day were the most useful part of the fair.',
  'Credit guarantees for SMEs made banks far more willing to lend for new equipment.',
  'Sharing best practices across members helps small firms avoid the mistakes we made.',
  'A common standard for product labels would make cross-border trade much simpler.',
  'Our partners in Germany introduced us to a logistics firm that handles small consignments.',
  'We found that a bilingual catalogue doubled the number of enquiries at our booth.',
  'Responsible sourcing and fair wages became a selling point rather than a cost.',
  'Thanks for the detailed answer, that is exactly the information we needed.',
  'I agree: the second hall was much easier to find this year.',
  'We will bring samples of the new solar controllers to the next edition.',
] as const;

const ZH_SENTENCES = [
  '我们正在寻找欧洲的出口合作伙伴，希望扩大包装产品的销售。',
  '通过博览会，我们与亚洲和欧洲的经销商建立了三项重要的合作关系。',
  '与中小供应商集群合作，使我们的交货时间缩短了三分之一。',
  '首次出国参展的融资最困难，商会提供了担保帮助。',
  '有没有企业与泰国的机械零件报关行合作过？',
  '在展会之前，我们在五个亚欧会议成员注册了商标。',
  '导师项目让每一家新出口企业都能向有经验的企业学习。',
  '电子商务平台在第一年就带来了来自十二个国家的小额订单。',
  '微型企业对电子商务和数字支付培训的需求很大。',
  '我们与同一地区的两家合作伙伴共用展位，分摊差旅费用。',
  '创新券支付了样机和大学实验室测试费用的一半。',
  '环境认证帮助我们赢得了重视供应链审核的买家。',
  '地方政府设立了一站式服务窗口，大大减少了审批手续。',
  '希望主办方能提前公布展馆平面图，方便我们安排样品运输。',
  '我们希望与熟悉欧洲法规的食品加工企业开展合资合作。',
  '第二天的洽谈配对活动是本届博览会最有价值的部分。',
  '中小企业信用担保使银行更愿意为新设备提供贷款。',
  '在成员之间分享最佳实践，可以帮助小企业少走弯路。',
  '谢谢详细的解答，这正是我们需要的信息。',
  '下一届博览会我们会带来新款太阳能控制器的样品。',
] as const;

export const PRACTICE_TITLES_EN = [
  'Export coaching for first-time exporters', 'A credit guarantee scheme for small manufacturers', 'Cluster cooperation in the furniture sector',
  'One-stop permits for new enterprises', 'Innovation vouchers with university labs', 'E-commerce training for micro enterprises',
  'Green certification for food exporters', 'Apprenticeships in precision engineering', 'Shared booths at international fairs',
  'Trademark registration across ASEM members', 'Digital payments for rural cooperatives', 'Supplier development with large buyers',
] as const;
export const PRACTICE_TITLES_ZH = [
  '首次出口企业辅导计划', '小型制造企业信用担保', '家具行业集群合作', '新企业一站式审批', '高校实验室创新券', '微型企业电子商务培训',
  '食品出口绿色认证', '精密工程学徒制', '国际展会联合参展', '亚欧成员商标注册', '农村合作社数字支付', '与大型采购商共同发展供应商',
] as const;
export const THREAD_TITLES_EN = [
  'Looking for export partners', 'Shipping samples to the fair', 'Which distributor for machinery parts?', 'Booth sharing for the next edition',
  'Financing a trade mission', 'Introducing our company', 'Customs rules for food products', 'Meeting up in the hall', 'E-commerce platforms that work',
  'Certification questions', 'Translating catalogues', 'Joint venture opportunities',
] as const;
export const THREAD_TITLES_ZH = ['寻找出口合作伙伴', '展会样品运输', '机械零件经销商推荐', '下届联合参展', '出国参展融资', '公司介绍', '食品海关规定', '展馆见面', '好用的电商平台', '认证问题', '产品目录翻译', '合资合作机会'] as const;

/** Some sentences of one language, joined as a paragraph. */
export function sentences(rng: Rng, chinese: boolean, count: number): string {
  const pool = chinese ? ZH_SENTENCES : EN_SENTENCES;
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(rng.pick(pool));
  return out.join(chinese ? '' : ' ');
}

/** A few paragraphs with a little Markdown (emphasis, a list), as people write them. */
export function markdownBody(rng: Rng, chinese: boolean, paragraphs: number): string {
  const parts: string[] = [];
  for (let i = 0; i < paragraphs; i++) {
    const roll = rng.next();
    if (roll < 0.15) {
      const items = rng.int(2, 4);
      const lines: string[] = [];
      for (let j = 0; j < items; j++) lines.push(`- ${sentences(rng, chinese, 1)}`);
      parts.push(lines.join('\n'));
    } else if (roll < 0.3) {
      parts.push(`**${sentences(rng, chinese, 1)}** ${sentences(rng, chinese, rng.int(1, 2))}`);
    } else {
      parts.push(sentences(rng, chinese, rng.int(1, 3)));
    }
  }
  return parts.join('\n\n');
}
