import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `node dist/bench/profile-summary.js [file.cpuprofile…]` (by default every profile in bench/profiles/, the
 * newest last): where a process's busy time went, as the share of its busy samples spent in each function
 * (self time) and in each package or file. A profile taken with BENCH_PROFILE=1 on a loaded machine counts a
 * process descheduled inside a system call (a socket write) as time in that call: read socket writes as an
 * upper bound, and the CPU read from /proc ((k)'s stages) as the truth.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const TOP = Number(process.env.PROFILE_TOP ?? 30);

function where(url: string): string {
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inPackage) return inPackage[1];
  return url.replace(/^.*\/dist\//, 'dist/') || '(native)';
}

function summarize(file: string): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byFunction = new Map<string, number>();
  const byPlace = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const { functionName, url, lineNumber } = nodes.get(id)!.callFrame;
    const micros = profile.timeDeltas[i] ?? 0;
    if (functionName === '(idle)' || functionName === '(program)') return;
    busy += micros;
    const name = `${functionName || '(anonymous)'} ${where(url)}:${lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
    byPlace.set(where(url), (byPlace.get(where(url)) ?? 0) + micros);
  });
  const top = (title: string, shares: Map<string, number>): void => {
    process.stdout.write(`  ${title}\n`);
    for (const [name, micros] of [...shares].sort((a, b) => b[1] - a[1]).slice(0, TOP))
      process.stdout.write(`  ${((micros / busy) * 100).toFixed(1).padStart(5)} %  ${name}\n`);
  };
  process.stdout.write(`${file}: busy ${(busy / 1e6).toFixed(1)} s\n`);
  top('self time by function', byFunction);
  top('by package or file', byPlace);
}

const dir = join(__dirname, '..', '..', 'bench/profiles');
const files = process.argv.slice(2);
if (!files.length)
  files.push(
    ...readdirSync(dir)
      .filter((name) => name.endsWith('.cpuprofile'))
      .map((name) => join(dir, name))
      .sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs),
  );
for (const file of files) summarize(file);
