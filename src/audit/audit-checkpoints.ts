import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditCheckpointEntity } from './entities/audit-checkpoint.entity';

/** Every statement on `audit_checkpoints`, and the deletion of archived entries from `audit_logs`. */
@Injectable()
export class AuditCheckpoints {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The checkpoint of the most recent archive: the chain in `audit_logs` goes on from its `lastSeq`. */
  latest(): Promise<AuditCheckpointEntity | null> {
    return this.dataSource.getRepository(AuditCheckpointEntity).findOne({ where: {}, order: { lastSeq: 'DESC' } });
  }

  find(id: string): Promise<AuditCheckpointEntity | null> {
    return this.dataSource.getRepository(AuditCheckpointEntity).findOne({ where: { id } });
  }

  /** Newest first. */
  list(skip: number, limit: number): Promise<[AuditCheckpointEntity[], number]> {
    return this.dataSource
      .getRepository(AuditCheckpointEntity)
      .findAndCount({ order: { lastSeq: 'DESC' }, skip, take: limit });
  }

  async insert(checkpoint: Omit<AuditCheckpointEntity, 'id'>): Promise<AuditCheckpointEntity> {
    const repo = this.dataSource.getRepository(AuditCheckpointEntity);
    return repo.save(repo.create(checkpoint));
  }

  /**
   * Deletes up to `batch` of the entries `checkpoint` archived (at or before its `lastSeq`, and written before its
   * `cutoff`, as every entry it archived was: the table's trigger refuses any other), oldest first, in one short
   * statement; returns how many went.
   */
  async deleteArchived(checkpoint: Pick<AuditCheckpointEntity, 'lastSeq' | 'cutoff'>, batch: number): Promise<number> {
    const [, affected] = (await this.dataSource.query(
      `DELETE FROM audit_logs WHERE seq IN (
         SELECT seq FROM audit_logs WHERE seq <= $1 AND "timestamp" < $2 ORDER BY seq LIMIT $3)`,
      [checkpoint.lastSeq, checkpoint.cutoff, batch],
    )) as [unknown, number];
    return affected;
  }

  /** The hashes of the entries at `seqs` that are in the table, by seq. */
  async hashesAt(seqs: string[]): Promise<Map<string, string>> {
    const rows = (await this.dataSource.query(
      `SELECT seq::text AS seq, hash FROM audit_logs WHERE seq = ANY($1::bigint[])`,
      [seqs],
    )) as { seq: string; hash: string }[];
    return new Map(rows.map((r) => [r.seq, r.hash]));
  }

  /**
   * The first entry at or before `checkpoint`'s `lastSeq` written at or after its `cutoff`: one its archive does
   * not hold, in the range it stands for (a chain that started again under it); none in a sound chain.
   */
  async firstUncovered(
    checkpoint: Pick<AuditCheckpointEntity, 'lastSeq' | 'cutoff'>,
  ): Promise<{ id: string; seq: string } | undefined> {
    const [row] = (await this.dataSource.query(
      `SELECT id, seq FROM audit_logs WHERE seq <= $1 AND "timestamp" >= $2 ORDER BY seq LIMIT 1`,
      [checkpoint.lastSeq, checkpoint.cutoff],
    )) as { id: string; seq: string }[];
    return row;
  }

  /**
   * The last entry, from `firstSeq` on and at most `max` seqs after it, such that every entry from `firstSeq` to
   * it was written before `cutoff` (the archive is a prefix of the chain); undefined when none is due. It is an
   * entry that exists: seqs missing from the table (a gap) are never an archive's end.
   */
  async lastDue(firstSeq: string, cutoff: Date, max: number): Promise<string | undefined> {
    const [row] = (await this.dataSource.query(
      `SELECT max(seq) AS "last" FROM audit_logs
        WHERE seq >= $1 AND seq < $1::bigint + $3
          AND seq < COALESCE((SELECT seq FROM audit_logs
                               WHERE seq >= $1 AND seq < $1::bigint + $3 AND "timestamp" >= $2
                               ORDER BY seq LIMIT 1), $1::bigint + $3)`,
      [firstSeq, cutoff, max],
    )) as { last: string | null }[];
    return row.last ?? undefined;
  }
}
