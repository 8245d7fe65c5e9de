/**
 * ASEM members: the partners of the meeting (countries, the ASEAN Secretariat, the European
 * Commission). Data, not code: seeded from shared/seed/asem-members.json, then the organizer may
 * correct names or add a partner that joins later.
 */
import { Schema, model, models, type Model } from 'mongoose';
import { bumpsCacheVersion } from '../../web/cache-versions';

export interface AsemMemberDoc {
  code: string;
  name: { en: string; 'zh-CN': string };
  region: 'Asia' | 'Europe';
  kind: 'country' | 'organisation';
}

const AsemMemberSchema = new Schema<AsemMemberDoc>(
  {
    code: { type: String, required: true, unique: true, uppercase: true, trim: true },
    name: {
      en: { type: String, required: true, trim: true },
      'zh-CN': { type: String, required: true, trim: true },
    },
    region: { type: String, required: true, enum: ['Asia', 'Europe'] },
    kind: { type: String, required: true, enum: ['country', 'organisation'] },
  },
  { timestamps: true },
);

/** Version stamp of the cached members list (src/web/cache-versions.ts). */
export const MEMBERS_STAMP = 'asem-members';
bumpsCacheVersion(AsemMemberSchema, MEMBERS_STAMP);

export const AsemMember: Model<AsemMemberDoc> = (models.AsemMember as Model<AsemMemberDoc>) ?? model<AsemMemberDoc>('AsemMember', AsemMemberSchema, 'asem_members');
