/**
 * The best-practice library's front door: what other modules may use of it.
 */
export { THEMES, PRACTICE_KINDS, type PracticeDoc, type Theme } from './model';
export { latestPractices, searchTermsOf as practiceSearchTerms, SEARCH_VERSION as PRACTICE_SEARCH_VERSION } from './service';
export { publishPolicyDocument, type PolicyDocumentInput } from './policy-documents';
export { practicesPerThemeAndLanguage } from './figures';
export { createPracticeDraft, createPracticeDraftFor, discardPracticeDraft, type PracticeDraftInput, type PracticeDraftForInput } from './drafts';
/** The models themselves, only for tools that fill a database in bulk (src/demo) and their tests. */
export { Practice, PracticeInterest } from './model';
