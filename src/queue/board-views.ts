import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** The board page's link to Google's font service: refused by the board's CSP, and it would tell Google who looks. */
const WEB_FONTS = /\s*<link[^>]+fonts\.(googleapis|gstatic)\.com[^>]*>/g;

/**
 * The directory of bull-board's page template without its web-font link (the board falls back to system
 * fonts), written once per template content under the temporary directory; bull-board's own scripts and
 * styles are still served from its package. Returns undefined when the template cannot be read.
 */
export function boardViewsWithoutWebFonts(): string | undefined {
  try {
    const source = join(dirname(require.resolve('@bull-board/ui/package.json')), 'dist', 'index.ejs');
    const template = readFileSync(source, 'utf8').replace(WEB_FONTS, '');
    const hash = createHash('sha256').update(template).digest('hex').slice(0, 16);
    const dir = join(tmpdir(), `ymera-board-views-${hash}`);
    if (!existsSync(join(dir, 'index.ejs'))) {
      mkdirSync(dir, { recursive: true });
      // Written aside, then renamed: processes starting together never read half a file.
      const partial = join(dir, `index.ejs.${process.pid}`);
      writeFileSync(partial, template);
      renameSync(partial, join(dir, 'index.ejs'));
    }
    return dir;
  } catch {
    return undefined;
  }
}
