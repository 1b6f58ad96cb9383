/** Tuning constants of blocking and scoring (documented in docs/matching.md). */
export const MATCH_TUNING = {
  /**
   * Rows an existing FK must link a name to one master on before that name is a known alias that links its other rows.
   * One row (a hand-set FK, perhaps a mistake: a new user's 'Nobody' set once to a vendor linked its 199 other rows at
   * 1.000) only puts that master first in review, unless the name links to it anyway. A priori, not fitted.
   */
  aliasMinRows: 2,
  /** Entries fully scored per name (best by the cheap blocking score). */
  scoreTop: 40,
  /** Stop adding new entries to the pool once it holds this many; later tokens only re-weight the pool. */
  poolMax: 2000,
  /** Postings longer than this (very common tokens) only re-weight the pool, unless the pool is still empty. */
  postingCap: 1500,
  /** Weight factor for generic business words ("group", "services", ...). */
  genericFactor: 0.5,
  /** Similarity of a near token (one edit) before length scaling. */
  editPenalty: 0.6,
  /** Similarity of phonetically equal but otherwise different tokens. */
  phoneticTokenSim: 0.75,
  /** Score weights. */
  wToken: 0.6,
  wChar: 0.3,
  wPhonetic: 0.1,
  /** Score adjustment when both names carry a legal form of different families (GmbH vs Inc). */
  legalDisagree: -0.12,
  /**
   * Highest score when the legal forms disagree: "Braun Druck Ltd" and "Braun Druck SARL" can be two companies (a
   * subsidiary abroad), so the pair ranks first in review and never auto-links at the default autoLinkAt (0.88, which
   * 1 + legalDisagree met exactly). A priori, not fitted.
   */
  legalDisagreeCap: 0.87,
  /**
   * Highest score when the names differ by a whole word on BOTH sides ("Sezione matematica" vs "Sezione costruzioni")
   * or by a number ("Portfolio 2"): such pairs are usually sibling companies, so they can reach review, never auto-link.
   */
  conflictCap: 0.85,
  /**
   * Highest score when the name leaves out a word of the master between two kept words and that word tells the master
   * apart from another master of the scope with the same words before it ("MGM Television" / MGM Worldwide Television
   * beside Amazon MGM Studios; score.ts droppedBetween): below the lowest threshold bench:accuracy chooses (0.80), in
   * the review band. A priori, not fitted.
   */
  droppedWordCap: 0.79,
  /** Character similarity of a name compared in the entry's word order is worth this much of an in-order one. */
  reorderFactor: 0.95,
  /**
   * Highest score when only the reordered comparison makes the names alike ("Ryan William" / "William Ryan" can be two
   * people): such names rank first in review, never auto-link.
   */
  reorderCap: 0.85,
  /**
   * Similarity of a name word that is no word of the scope and one edit from exactly one word of it (a typo with a
   * single reading). Chosen a priori between one edit (≤ 0.9) and a digraph fold (0.97), not fitted.
   */
  soleTypoSim: 0.95,
  /**
   * Multi-word master names a scope needs before "this word never starts (ends) a name here" counts as evidence of
   * surname-first order (a priori: a given name of 3 % frequency is then missing from the first position by chance
   * with probability < 5 %).
   */
  positionEvidence: 100,
  /** The same for a two-edit typo with a single reading (as one edit of a 5-letter word: 1 − 0.6/5). */
  soleTypo2Sim: 0.88,
  /**
   * Cap on a name that calls a master's given name by its familiar form ("Bob Smith" / Robert Smith, nicknames.ts):
   * linked at the default autoLinkAt, below unique containment (0.95) and any name written in full (a priori).
   */
  nicknameCap: 0.92,
  /**
   * …only when each of the name's other words is in at most this many masters' names. Chosen on T16 and the people
   * benchmark (no bound: a cross-tenant link in people; 1 linked fewer of T16's nicknames than 2, which still made no
   * wrong nickname link in people), then checked on T15 (no wrong link; docs/matching.md).
   */
  nicknameWordMasters: 2,
  /**
   * Cap on a name that writes a word of the master as a clerk's abbreviation with one reading in the scope ("Elec" /
   * Electronic, expansion.ts): linked at the default autoLinkAt, below any name written in full (a priori, as nicknames).
   */
  expansionCap: 0.92,
  /** Cap on a name equal to its master but for a leading article or honorific (leading-particle.ts; a priori). */
  particleCap: 0.92,
  /** Similarity of an abbreviation and its long form ("Intl" / "International"). */
  abbreviationSim: 0.8,
  /**
   * Score given to the one master whose name is contained in the name (or contains it) with qualifier words only
   * around it, when no other master of the scope is contained/containing or a parent/child of it (docs/matching.md).
   */
  containmentScore: 0.95,
  /**
   * Score of the one master holding every word of a name that leaves out some of its words (sole-holder.ts): above the
   * default autoLinkAt (0.88), below unique containment, so a stricter threshold keeps such names for review (a priori).
   */
  soleHolderScore: 0.9,
  /**
   * Masters of a scope that name a country before it reads as the ledger's own ("Orica" / "Orica Australia Pty Ltd",
   * containment.ts brandFirm): three or more (two may be one group's two national companies), and that share of the
   * scope's masters or more. Measured, not fitted to a set: ledgers of one country's firms written by hand name it in
   * 2.9–13 % of their masters; the benchmark's ledgers of firms from everywhere name any one country in at most 1.5 %.
   */
  homeCountryMasters: 3,
  homeCountryShare: 0.025,
  /**
   * Score of a master whose words' initials a one-word capitalised name spells ("MGH" / Massachusetts General
   * Hospital): in the review band, above a name that only shares a word, and never auto-linked (decide.ts).
   */
  acronymScore: 0.8,
  /** …of the one master a name of 3+ letters spells (acronym.ts): auto-linked at the default 0.88. */
  soleAcronymScore: 0.9,
  /** …of the one master a name cut inside a word at 16+ characters is the start of (truncation.ts): auto-linked. */
  truncatedScore: 0.9,
  /** Postings longer than this make a containment check too unspecific to trust. */
  containmentPosting: 300,
};
