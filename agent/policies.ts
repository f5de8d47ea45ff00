/**
 * The platform's policies (docs/policies/*.md, written from the domain rules), cut into their
 * `##` sections and searched with MiniSearch. Each section has the id an answer cites:
 * `cancellation.md#when-a-traveler-may-cancel` (the document and GitHub's anchor of its heading).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import MiniSearch from 'minisearch';

export const POLICIES_DIR = fileURLToPath(new URL('../docs/policies/', import.meta.url));

export interface PolicySection {
  /** `cancellation.md#when-a-traveler-may-cancel` */
  id: string;
  document: string;
  /** The document's own title (its `#` heading). */
  documentTitle: string;
  title: string;
  text: string;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
export function headingAnchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .trim()
    .replace(/\s/g, '-');
}

/** The `##` sections of one markdown document; the text before the first is its introduction. */
export function sectionsOf(document: string, markdown: string): PolicySection[] {
  const documentTitle = /^# (.+)$/m.exec(markdown)?.[1]?.trim() ?? document;
  const sections: PolicySection[] = [];
  for (const part of markdown.split(/^(?=## )/m).slice(1)) {
    const [heading = '', ...body] = part.split('\n');
    const title = heading.replace(/^##\s+/, '').trim();
    const text = body.join('\n').replace(/\s+/g, ' ').trim();
    if (title && text) {
      sections.push({
        id: `${document}#${headingAnchor(title)}`,
        document,
        documentTitle,
        title,
        text,
      });
    }
  }
  return sections;
}

/** Every section of every policy document in `dir`. */
export function loadPolicySections(dir = POLICIES_DIR): PolicySection[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.md'))
    .sort()
    .flatMap((file) => sectionsOf(file, readFileSync(join(dir, file), 'utf8')));
}

/** Words that say nothing about which section is meant. */
const STOP_WORDS = new Set(
  (
    'a an the and or of to in on at for by with from is are was be can could may might i my me ' +
    'you your we our it its this that do does did how what when who which will would should ' +
    'if as not no yes there their them they have has had get so than then about any'
  ).split(' '),
);

/** A crude English stem, so `cancelled`, `cancelling` and `cancellation` meet `cancel`. */
function stem(term: string): string {
  return term
    .replace(/(?:ations?|ing|ed|es|s)$/, '')
    .replace(/ll$/, 'l')
    .replace(/(.)\1$/, '$1');
}

function processTerm(term: string): string | null {
  const word = term.toLowerCase();
  if (word.length < 2 || STOP_WORDS.has(word)) return null;
  return stem(word);
}

export interface PolicyHit {
  section: PolicySection;
  score: number;
}

export class PolicyLibrary {
  private readonly index: MiniSearch<PolicySection>;
  private readonly byId: Map<string, PolicySection>;

  constructor(readonly sections: PolicySection[] = loadPolicySections()) {
    this.byId = new Map(sections.map((s) => [s.id, s]));
    this.index = new MiniSearch<PolicySection>({
      fields: ['title', 'documentTitle', 'text'],
      storeFields: [],
      processTerm,
      searchOptions: { boost: { title: 3, documentTitle: 1.5 }, prefix: true, fuzzy: 0.15 },
    });
    this.index.addAll(sections);
  }

  section(id: string): PolicySection | undefined {
    return this.byId.get(id);
  }

  /** The sections that best match `query`, best first. */
  search(query: string, limit = 3): PolicyHit[] {
    return this.index
      .search(query, { combineWith: 'OR' })
      .slice(0, limit)
      .flatMap((hit) => {
        const section = this.byId.get(String(hit.id));
        return section ? [{ section, score: hit.score }] : [];
      });
  }
}
