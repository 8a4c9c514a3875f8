import { HostResolver } from '../../src/agents/outbound/network-guard';

/** Answers for names the test owns, as DNS would; any other name is not found. Keeps every name asked. */
export class TableResolver extends HostResolver {
  readonly asked: string[] = [];

  constructor(private readonly table: Record<string, string[]>) {
    super();
  }

  async resolve(hostname: string): Promise<string[]> {
    this.asked.push(hostname);
    const found = this.table[hostname];
    if (!found) throw new Error('ENOTFOUND');
    return found;
  }
}
