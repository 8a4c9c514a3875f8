import { Injectable } from '@nestjs/common';
import { type EntityManager, IsNull } from 'typeorm';
import { MfaRecoveryCodeEntity } from '../entities/mfa-recovery-code.entity';

/**
 * Every statement on `mfa_recovery_codes`, in the caller's transaction. Codes are named by their hash
 * only; spending one is a single guarded statement, so of two requests with the same code one wins.
 */
@Injectable()
export class RecoveryCodeRepository {
  /** How many of the user's codes are still unused. */
  remaining(em: EntityManager, userId: string): Promise<number> {
    return em.countBy(MfaRecoveryCodeEntity, { userId, usedAt: IsNull() });
  }

  /** Replaces the user's set with codes of these hashes. */
  async replace(em: EntityManager, userId: string, codeHashes: string[]): Promise<void> {
    await em.delete(MfaRecoveryCodeEntity, { userId });
    await em.insert(
      MfaRecoveryCodeEntity,
      codeHashes.map((codeHash) => ({ userId, codeHash })),
    );
  }

  /** Marks the user's unused code of this hash used; false when there is none. */
  async spend(em: EntityManager, userId: string, codeHash: string): Promise<boolean> {
    const result = await em
      .createQueryBuilder()
      .update(MfaRecoveryCodeEntity)
      .set({ usedAt: () => 'now()' })
      .where('user_id = :userId AND code_hash = :hash AND used_at IS NULL', { userId, hash: codeHash })
      .execute();
    return result.affected === 1;
  }

  async dropAll(em: EntityManager, userId: string): Promise<void> {
    await em.delete(MfaRecoveryCodeEntity, { userId });
  }
}
