/**
 * Partner pages: the partner profile (/account/partner-profile), partner search (/companies) and
 * company pages (/companies/:id), contact requests (/companies/:id/contact, /contacts),
 * opportunities (/opportunities...), the digest, the liaison's view and the organizer's figures
 * and moderation (/admin/partners). Each route: guard → parse → service → render/redirect.
 */
import { Router, type Request, type Response } from 'express';
import { trusted } from 'mongoose';
import { actorOf, requireRole, requireUser } from '../../web/auth';
import type { AppContext } from '../../web/context';
import { flash } from '../../web/flash';
import { formHandler, type FormState } from '../../web/forms';
import { collatorFor, localized } from '../../web/i18n';
import { paginate, pageFrom } from '../../web/pagination';
import { discardUploads, persistUploads, removeStored, sendStoredFile, uploadMiddleware, uploadsOf, ACCEPT_ATTRIBUTE } from '../../web/uploads';
import type { Actor, FieldErrors, Language } from '../../kernel';
import { ValidationError } from '../../kernel';
import {
  COOPERATION_TYPES,
  COMPANY_SIZES,
  companyContactDetails,
  companyLogo,
  companyNames,
  ownPartnerProfile,
  partnerCompany,
  savePartnerProfile,
  searchPartnerCompanies,
} from '../accounts';
import { BoothRequest, currentEdition } from '../fair';
import { listAsemMembers, type AsemMemberView } from '../members';
import { contactDetailsFor, contactStateWith, memberRequestCounts } from './contacts';
import { atomFeed } from './feed';
import { figures } from './figures';
import { CloseForm, ContactForm, DeclineForm, DigestForm, ModerationForm, OpportunityForm, PartnerProfileForm, RenewForm, ReportForm } from './forms';
import { isicLabel, isicOptions, withSections } from './isic';
import { reencodeLogo } from './logo';
import { MAX_ATTACHMENTS, OPPORTUNITY_KINDS, Opportunity, PartnerReport, TEXT_LANGUAGES, type OpportunityDoc } from './model';
import { latestOpenOpportunities, memberOpportunities, opportunityAttachment, ownOpportunities, readableOpportunity, searchOpportunities } from './opportunities';
import type { PartnersService } from './services';
import { digestEnabled, readDigestToken } from './suggestions';

const PER_PAGE = 20;
const REGIONS = ['Asia', 'Europe'];

function list(v: unknown): string[] {
  const arr = Array.isArray(v) ? v : typeof v === 'string' && v ? [v] : [];
  return arr.filter((x): x is string => typeof x === 'string' && x.length > 0 && x.length <= 40).slice(0, 60);
}

async function exhibitingCompanyIds(): Promise<string[]> {
  const edition = await currentEdition();
  if (!edition) return [];
  const ids = (await BoothRequest.distinct('company', { edition: edition._id, status: trusted({ $in: ['approved', 'confirmed'] }) })) as unknown[];
  return ids.map(String);
}

function memberHelpers(members: AsemMemberView[], lang: Language) {
  const byCode = new Map(members.map((m) => [m.code, m]));
  const collator = collatorFor(lang);
  return {
    memberName: (code: string) => (byCode.get(code) ? localized(byCode.get(code)!.name, lang) : code),
    regionOf: (code: string) => byCode.get(code)?.region ?? '',
    memberOptions: [...members].sort((a, b) => collator.compare(localized(a.name, lang), localized(b.name, lang))).map((m) => ({ value: m.code, label: localized(m.name, lang) })),
  };
}

/** The query string of a list page without one value (facet links that toggle). */
function toggleUrl(base: string, query: Record<string, unknown>, key: string, value: string): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (k === 'page') continue;
    for (const item of list(v)) if (!(k === key && item === value)) params.append(k, item);
  }
  if (!list(query[key]).includes(value)) params.append(key, value);
  const s = params.toString();
  return s ? `${base}?${s}` : base;
}

export function partnersRouter(ctx: AppContext, partners: PartnersService): Router {
  const router = Router();
  const logoUpload = uploadMiddleware(ctx, { field: 'logo', maxFiles: 1 });
  const attachmentUpload = uploadMiddleware(ctx, { field: 'attachments', maxFiles: MAX_ATTACHMENTS });

  /* ---- partner profile ---- */

  async function showProfile(req: Request, res: Response, state?: FormState) {
    const actor = actorOf(req);
    const profile = await ownPartnerProfile(actor);
    if (!profile) return res.status(404).render('errors/error', { title: req.t('errors:notFound.title'), status: 404, message: req.t('errors:notFound.message') });
    const members = await listAsemMembers(req.lang);
    const values = state?.values ?? {
      products: profile.products,
      offers: profile.offers,
      seeks: profile.seeks,
      cooperationTypes: profile.cooperationTypes,
      isic: profile.isic,
      targetMarkets: profile.targetMarkets,
      workingLanguages: profile.workingLanguages,
      city: profile.city,
      foundedYear: profile.foundedYear ? String(profile.foundedYear) : '',
      phone: (await companyContactDetails(profile.id))?.phone ?? '',
    };
    res.render('partners/profile-form', {
      title: req.t('partners:profile.title'),
      profile,
      values,
      errors: state?.errors ?? {},
      isicOptions: isicOptions(req.lang),
      cooperationOptions: COOPERATION_TYPES.map((c) => ({ value: c, label: req.t(`partners:cooperation.${c}`) })),
      languageOptions: TEXT_LANGUAGES.map((l) => ({ value: l, label: req.t(`partners:textLanguages.${l}`) })),
      ...memberHelpers(members, req.lang),
      accept: '.png,.jpg,.jpeg',
    });
  }

  router.get('/account/partner-profile', requireRole('member'), async (req, res) => {
    await showProfile(req, res);
  });

  router.post(
    '/account/partner-profile',
    requireRole('member'),
    logoUpload,
    formHandler({
      body: PartnerProfileForm,
      render: (req, res, state) => showProfile(req, res, state),
      async moreProblems(req): Promise<FieldErrors> {
        const { error } = uploadsOf(req);
        return error ? { logo: { key: error.key, ...(error.params ? { params: error.params } : {}) } } : {};
      },
      async handle(req, res, { body }) {
        const actor = actorOf(req);
        const { files, error } = uploadsOf(req);
        // moreProblems runs only when the fields themselves are invalid: a refused file stops here.
        if (error) throw new ValidationError({ logo: { key: error.key, ...(error.params ? { params: error.params } : {}) } });
        let logo: Awaited<ReturnType<typeof persistUploads>>[number] | null | undefined;
        if (files[0]) {
          const encoded = await reencodeLogo(files[0]);
          try {
            [logo] = await persistUploads(ctx, [encoded]);
          } finally {
            await discardUploads([encoded]);
          }
        } else if (body.removeLogo) {
          logo = null;
        }
        const { removeLogo: _ignored, ...input } = body;
        const replaced = await savePartnerProfile(actor, { ...input, isic: withSections(input.isic) }, logo);
        if (replaced) await removeStored(ctx, replaced);
        flash(req, 'success', 'partners:profile.saved');
        res.redirect(303, '/account');
      },
    }),
  );

  /* ---- partner search and company pages ---- */

  router.get('/companies', async (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 200) : '';
    const page = pageFrom(req.query, PER_PAGE);
    const sort = req.query.sort === 'newest' || req.query.sort === 'name' ? req.query.sort : 'relevance';
    const members = await listAsemMembers(req.lang);
    const helpers = memberHelpers(members, req.lang);
    const regions = list(req.query.region).filter((r) => REGIONS.includes(r));
    const chosenMembers = list(req.query.member);
    // A region is the set of its members (ANDed with any member chosen).
    const regionMembers = regions.length ? members.filter((m) => regions.includes(m.region)).map((m) => m.code) : null;
    const memberFilter = regionMembers ? (chosenMembers.length ? chosenMembers.filter((c) => regionMembers.includes(c)) : regionMembers) : chosenMembers;
    const exhibiting = req.query.exhibiting === '1';
    const result = await searchPartnerCompanies({
      q,
      members: regionMembers && !memberFilter.length ? ['-'] : memberFilter,
      isic: list(req.query.isic),
      cooperationTypes: list(req.query.cooperation),
      targetMarkets: list(req.query.market),
      sizes: list(req.query.size).filter((s) => (COMPANY_SIZES as readonly string[]).includes(s)),
      onlyIds: exhibiting ? await exhibitingCompanyIds() : null,
      sort,
      lang: req.lang,
      skip: page.skip,
      limit: page.perPage,
    });
    const regionCounts = REGIONS.map((r) => ({ value: r, count: result.facets.member.filter((f) => helpers.regionOf(f.value) === r).reduce((n, f) => n + f.count, 0) }));
    res.render('partners/companies', {
      title: req.t('partners:search.title'),
      q,
      sort,
      query: req.query,
      result,
      regionCounts,
      exhibiting,
      pagination: paginate('/companies', req.query, page, result.total),
      toggle: (key: string, value: string) => toggleUrl('/companies', req.query, key, value),
      chosen: (key: string, value: string) => list(req.query[key]).includes(value),
      isicLabel: (c: string) => isicLabel(c, req.lang),
      ...helpers,
    });
  });

  router.get('/companies/:id/logo', async (req, res) => {
    const logo = await companyLogo(req.params.id);
    if (!logo) return res.status(404).end();
    await sendStoredFile(ctx, res, logo, { inline: true });
  });

  router.get('/companies/:id', async (req, res) => {
    const company = await partnerCompany(req.params.id, req.user);
    const [members, contact, state, opportunities] = await Promise.all([
      listAsemMembers(req.lang),
      contactDetailsFor(req.user, { id: company.id, member: company.member, ownerId: company.ownerId }),
      contactStateWith(req.user, company.id),
      latestOpenOpportunities(partners.now(), { limit: 200 }).then((all) => all.filter((o) => String(o.company) === company.id).slice(0, 10)),
    ]);
    const helpers = memberHelpers(members, req.lang);
    res.render('partners/company', {
      title: company.name,
      company,
      contact,
      contactState: state,
      opportunities,
      isicLabel: (c: string) => isicLabel(c, req.lang),
      member: members.find((m) => m.code === company.member) ?? null,
      ...helpers,
    });
  });

  /* ---- contact requests ---- */

  async function showContactForm(req: Request, res: Response, state?: FormState) {
    const company = await partnerCompany(req.params.id, req.user);
    const opportunityId = typeof req.query.opportunity === 'string' ? req.query.opportunity : state?.values.opportunity;
    res.render('partners/contact-form', {
      title: req.t('partners:contacts.new.title', { company: company.name }),
      company,
      values: state?.values ?? { message: '', opportunity: typeof opportunityId === 'string' ? opportunityId : '' },
      errors: state?.errors ?? {},
    });
  }

  router.get('/companies/:id/contact', requireRole('member'), async (req, res) => {
    await showContactForm(req, res);
  });

  router.post(
    '/companies/:id/contact',
    requireRole('member'),
    formHandler({
      body: ContactForm,
      render: (req, res, state) => showContactForm(req, res, state),
      async handle(req, res, { body }) {
        await partners.sendContactRequest(actorOf(req), { toCompany: String(req.params.id), message: body.message, opportunity: body.opportunity });
        flash(req, 'success', 'partners:contacts.sent');
        res.redirect(303, '/contacts');
      },
    }),
  );

  async function showContacts(req: Request, res: Response, state?: FormState & { requestId?: string }) {
    const { received, sent } = await partners.listContactRequests(actorOf(req));
    res.render('partners/contacts', { title: req.t('partners:contacts.title'), received, sent, errors: state?.errors ?? {}, values: state?.values ?? {}, errorFor: state?.requestId ?? '' });
  }

  router.get('/contacts', requireRole('member'), async (req, res) => {
    await showContacts(req, res);
  });

  router.post('/contacts/:id/accept', requireRole('member'), async (req, res) => {
    const { conversationId } = await partners.acceptContactRequest(actorOf(req), req.params.id);
    flash(req, 'success', 'partners:contacts.accepted');
    res.redirect(303, `/messages/${conversationId}`);
  });

  router.post(
    '/contacts/:id/decline',
    requireRole('member'),
    formHandler({
      body: DeclineForm,
      render: (req, res, state) => showContacts(req, res, { ...state, requestId: String(req.params.id) }),
      async handle(req, res, { body }) {
        await partners.declineContactRequest(actorOf(req), req.params.id, body.reason);
        flash(req, 'success', 'partners:contacts.declined');
        res.redirect(303, '/contacts');
      },
    }),
  );

  router.post('/contacts/:id/block', requireRole('member'), async (req, res) => {
    await partners.blockSender(actorOf(req), req.params.id);
    flash(req, 'success', 'partners:contacts.blocked');
    res.redirect(303, '/contacts');
  });

  router.post(
    '/contacts/:id/report',
    requireRole('member'),
    formHandler({
      body: ReportForm,
      render: (req, res, state) => showContacts(req, res, { ...state, requestId: String(req.params.id) }),
      async handle(req, res, { body }) {
        await partners.reportContactRequest(actorOf(req), req.params.id, body.reason);
        flash(req, 'success', 'partners:contacts.reported');
        res.redirect(303, '/contacts');
      },
    }),
  );

  /* ---- opportunities ---- */

  router.get('/opportunities', async (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 200) : '';
    const page = pageFrom(req.query, PER_PAGE);
    const sort = req.query.sort === 'newest' ? 'newest' : 'relevance';
    const members = await listAsemMembers(req.lang);
    const result = await searchOpportunities(
      {
        q,
        kinds: list(req.query.kind),
        members: list(req.query.member),
        regions: list(req.query.region),
        isic: list(req.query.isic),
        cooperationTypes: list(req.query.cooperation),
        targetMarkets: list(req.query.market),
        sort,
        skip: page.skip,
        limit: page.perPage,
      },
      partners.now(),
    );
    const names = await companyNames(result.items.map((o) => o.company).filter(Boolean));
    res.render('partners/opportunities', {
      title: req.t('partners:opportunities.title'),
      q,
      sort,
      result,
      names,
      pagination: paginate('/opportunities', req.query, page, result.total),
      toggle: (key: string, value: string) => toggleUrl('/opportunities', req.query, key, value),
      chosen: (key: string, value: string) => list(req.query[key]).includes(value),
      isicLabel: (c: string) => isicLabel(c, req.lang),
      mayPost: !!req.user && (req.user.role === 'member' || req.user.role === 'liaison'),
      ...memberHelpers(members, req.lang),
    });
  });

  router.get('/opportunities/feed.xml', async (req, res) => {
    const items = await latestOpenOpportunities(partners.now(), { limit: 50 });
    const xml = atomFeed(ctx.config.baseUrl, items, { title: req.t('partners:feed.title'), authorName: req.t('siteName') }, partners.now());
    res.type('application/atom+xml; charset=utf-8').send(xml);
  });

  router.get('/opportunities/mine', requireRole('member', 'liaison'), async (req, res) => {
    const actor = actorOf(req);
    const items = actor.role === 'liaison' ? await memberOpportunities(actor) : await ownOpportunities(actor);
    const requestCounts = actor.role === 'liaison' ? await memberRequestCounts(actor) : null;
    res.render('partners/mine', { title: req.t(actor.role === 'liaison' ? 'partners:mine.liaisonTitle' : 'partners:mine.title'), items, requestCounts, now: partners.now() });
  });

  async function showOpportunityForm(req: Request, res: Response, opts: { opportunity: OpportunityDoc | null; state?: FormState | undefined }) {
    const actor = actorOf(req);
    const members = await listAsemMembers(req.lang);
    const o = opts.opportunity;
    const values = opts.state?.values ?? (o
      ? { kind: o.kind, title: o.title, description: o.description, cooperationType: o.cooperationType, isic: o.isic, targetMarkets: o.targetMarkets, language: o.language, expiresOn: o.expiresAt.toISOString().slice(0, 10), onBehalfOf: o.onBehalfOf }
      : { kind: 'offer', language: 'en', expiresOn: '' });
    res.render('partners/opportunity-form', {
      title: req.t(o ? 'partners:opportunities.form.editTitle' : 'partners:opportunities.form.newTitle'),
      opportunity: o,
      values,
      errors: opts.state?.errors ?? {},
      isLiaison: actor.role === 'liaison',
      kinds: OPPORTUNITY_KINDS,
      isicOptions: isicOptions(req.lang),
      cooperationOptions: COOPERATION_TYPES.map((c) => ({ value: c, label: req.t(`partners:cooperation.${c}`) })),
      languageOptions: TEXT_LANGUAGES.map((l) => ({ value: l, label: req.t(`partners:textLanguages.${l}`) })),
      accept: ACCEPT_ATTRIBUTE,
      maxFiles: MAX_ATTACHMENTS,
      action: o ? `/opportunities/${String(o._id)}/edit` : '/opportunities/new',
      ...memberHelpers(members, req.lang),
    });
  }

  const uploadProblems = async (req: Request): Promise<FieldErrors> => {
    const { error } = uploadsOf(req);
    return error ? { attachments: { key: error.key, ...(error.params ? { params: error.params } : {}) } } : {};
  };

  router.get('/opportunities/new', requireRole('member', 'liaison'), async (req, res) => {
    await showOpportunityForm(req, res, { opportunity: null });
  });

  router.post(
    '/opportunities/new',
    requireRole('member', 'liaison'),
    attachmentUpload,
    formHandler({
      body: OpportunityForm,
      render: (req, res, state) => showOpportunityForm(req, res, { opportunity: null, state }),
      moreProblems: uploadProblems,
      async handle(req, res, { body }) {
        const refused = await uploadProblems(req);
        if (Object.keys(refused).length) throw new ValidationError(refused);
        const created = await partners.createOpportunity(actorOf(req), { ...body, isic: withSections(body.isic) }, uploadsOf(req).files);
        flash(req, 'success', 'partners:opportunities.flash.created');
        res.redirect(303, `/opportunities/${String(created._id)}`);
      },
    }),
  );

  router.get('/opportunities/digest/unsubscribe', async (req, res) => {
    const userId = readDigestToken(ctx.config.sessionSecret, req.query.token);
    res.status(userId ? 200 : 404).render('partners/unsubscribe', { title: req.t('partners:digest.unsubscribeTitle'), valid: !!userId, token: typeof req.query.token === 'string' ? req.query.token : '', done: false });
  });

  // RFC 8058 one-click: the mail client POSTs here without a session or CSRF token.
  router.post('/opportunities/digest/unsubscribe', async (req, res) => {
    const ok = await partners.unsubscribeDigestByToken(req.query.token ?? (req.body as Record<string, unknown> | undefined)?.token);
    res.status(ok ? 200 : 404).render('partners/unsubscribe', { title: req.t('partners:digest.unsubscribeTitle'), valid: ok, token: '', done: ok });
  });

  router.post(
    '/opportunities/digest',
    requireRole('member'),
    formHandler({
      body: DigestForm,
      render: (_req, res) => res.redirect(303, '/account'),
      async handle(req, res, { body }) {
        await partners.setDigest(actorOf(req), body.enabled === '1');
        flash(req, 'success', body.enabled === '1' ? 'partners:digest.on' : 'partners:digest.off');
        res.redirect(303, '/account');
      },
    }),
  );

  router.get('/opportunities/:id', async (req, res) => {
    const o = await readableOpportunity(req.user, req.params.id);
    const now = partners.now();
    const [members, names] = await Promise.all([listAsemMembers(req.lang), companyNames(o.company ? [o.company] : [])]);
    const actor = req.user;
    const isAuthor = !!actor && String(o.author) === actor.id;
    res.render('partners/opportunity', {
      title: o.title,
      o,
      companyName: o.company ? (names.get(String(o.company)) ?? '') : '',
      expired: o.expiresAt <= now,
      isAuthor,
      isOrganizer: actor?.role === 'organizer',
      mayContact: !!actor && actor.role === 'member' && !!o.company && actor.companyId !== String(o.company) && !o.closedAt && o.expiresAt > now,
      mayReport: !!actor && !isAuthor,
      isicLabel: (c: string) => isicLabel(c, req.lang),
      errors: {},
      values: {},
      ...memberHelpers(members, req.lang),
    });
  });

  router.get('/opportunities/:id/files/:fileId', async (req, res) => {
    const ref = await opportunityAttachment(req.user, req.params.id, req.params.fileId);
    await sendStoredFile(ctx, res, ref, { inline: req.query.inline === '1' });
  });

  router.get('/opportunities/:id/edit', requireRole('member', 'liaison'), async (req, res) => {
    const o = await readableOpportunity(req.user, req.params.id);
    if (String(o.author) !== actorOf(req).id) return res.status(404).render('errors/error', { title: req.t('errors:notFound.title'), status: 404, message: req.t('errors:notFound.message') });
    await showOpportunityForm(req, res, { opportunity: o });
  });

  router.post(
    '/opportunities/:id/edit',
    requireRole('member', 'liaison'),
    attachmentUpload,
    formHandler({
      body: OpportunityForm,
      render: async (req, res, state) => showOpportunityForm(req, res, { opportunity: await readableOpportunity(req.user, req.params.id), state }),
      moreProblems: uploadProblems,
      async handle(req, res, { body }) {
        const refused = await uploadProblems(req);
        if (Object.keys(refused).length) throw new ValidationError(refused);
        const saved = await partners.updateOpportunity(actorOf(req), req.params.id, { ...body, isic: withSections(body.isic) }, uploadsOf(req).files);
        flash(req, 'success', 'partners:opportunities.flash.saved');
        res.redirect(303, `/opportunities/${String(saved._id)}`);
      },
    }),
  );

  const backToOpportunity = async (req: Request, res: Response, state: FormState) => {
    const errs = Object.entries(state.errors).map(([, m]) => m);
    if (errs[0]) flash(req, 'error', errs[0].key, errs[0].params as Record<string, string | number> | undefined);
    res.status(303).redirect(303, `/opportunities/${String(req.params.id)}`);
  };

  router.post('/opportunities/:id/close', requireRole('member', 'liaison'), formHandler({
    body: CloseForm,
    render: backToOpportunity,
    async handle(req, res, { body }) {
      await partners.closeOpportunity(actorOf(req), req.params.id, body.reason);
      flash(req, 'success', 'partners:opportunities.flash.closed');
      res.redirect(303, `/opportunities/${String(req.params.id)}`);
    },
  }));

  router.post('/opportunities/:id/renew', requireRole('member', 'liaison'), formHandler({
    body: RenewForm,
    render: backToOpportunity,
    async handle(req, res, { body }) {
      await partners.renewOpportunity(actorOf(req), req.params.id, body.expiresOn);
      flash(req, 'success', 'partners:opportunities.flash.renewed');
      res.redirect(303, `/opportunities/${String(req.params.id)}`);
    },
  }));

  router.post('/opportunities/:id/report', requireUser, formHandler({
    body: ReportForm,
    render: backToOpportunity,
    async handle(req, res, { body }) {
      await partners.reportOpportunity(actorOf(req), req.params.id, body.reason);
      flash(req, 'success', 'partners:opportunities.flash.reported');
      res.redirect(303, `/opportunities/${String(req.params.id)}`);
    },
  }));

  /* ---- organizer: figures and moderation ---- */

  router.get('/admin/partners', requireRole('organizer'), async (req, res) => {
    const members = await listAsemMembers(req.lang);
    const [data, reports] = await Promise.all([figures(actorOf(req), members), PartnerReport.find({ resolvedAt: null }).sort({ createdAt: -1 }).limit(100).lean()]);
    const opportunityIds = reports.filter((r) => r.targetType === 'opportunity').map((r) => r.target);
    const titles = new Map((await Opportunity.find({ _id: trusted({ $in: opportunityIds }) }, { title: 1, hiddenAt: 1 }).lean()).map((o) => [String(o._id), o]));
    res.render('partners/admin', { title: req.t('partners:admin.title'), figures: data, reports, titles, ...memberHelpers(members, req.lang) });
  });

  for (const action of ['hide', 'restore'] as const) {
    router.post(`/admin/opportunities/:id/${action}`, requireRole('organizer'), formHandler({
      body: ModerationForm,
      render: backToOpportunity,
      async handle(req, res, { body }) {
        if (action === 'hide') await partners.hideOpportunity(actorOf(req), req.params.id, body.reason);
        else await partners.restoreOpportunity(actorOf(req), req.params.id, body.reason);
        flash(req, 'success', `partners:opportunities.flash.${action === 'hide' ? 'hidden' : 'restored'}`);
        res.redirect(303, `/opportunities/${String(req.params.id)}`);
      },
    }));
  }

  router.post('/admin/partner-reports/:id/dismiss', requireRole('organizer'), async (req, res) => {
    await partners.dismissReports(actorOf(req), req.params.id);
    flash(req, 'success', 'partners:admin.dismissed');
    res.redirect(303, '/admin/partners');
  });

  return router;
}

/** For the /account hint: what the partners module adds to the account page. */
export async function accountExtras(partners: PartnersService, actor: Actor): Promise<Record<string, unknown> | null> {
  if (actor.role !== 'member') return null;
  const profile = await ownPartnerProfile(actor);
  if (!profile) return null;
  const checks = [profile.products, profile.offers, profile.seeks, profile.cooperationTypes.length, profile.isic.length, profile.targetMarkets.length, profile.workingLanguages.length, profile.city, profile.foundedYear, profile.hasLogo];
  const done = checks.filter(Boolean).length;
  const [suggestions, digest] = await Promise.all([partners.suggestionsFor(actor), digestEnabled(actor)]);
  const names = await companyNames((suggestions?.opportunities ?? []).map((o) => o.company).filter(Boolean));
  return { completeness: Math.round((done / checks.length) * 100), suggestions, digest, names };
}

