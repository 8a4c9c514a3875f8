import { Injectable, type Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

/**
 * Nest's Reflector with each answer kept: route metadata is fixed once classes are decorated, yet guards
 * and interceptors ask for it on every request (the rate limiter alone asks six times), and each answer
 * walks reflect-metadata's prototype chain.
 */
@Injectable()
export class CachedReflector extends Reflector {
  /** Metadata key (or decorator) → decorated class or handler → answer. */
  private readonly answers = new Map<unknown, WeakMap<object, unknown>>();

  override get<TResult = unknown, TKey = unknown>(metadataKey: TKey, target: Type<unknown> | Function): TResult {
    let byTarget = this.answers.get(metadataKey);
    if (!byTarget) {
      byTarget = new WeakMap();
      this.answers.set(metadataKey, byTarget);
    }
    if (byTarget.has(target)) return byTarget.get(target) as TResult;
    const answer = super.get<TResult, TKey>(metadataKey, target);
    byTarget.set(target, answer);
    return answer;
  }
}
