import { Global, Module } from '@nestjs/common';
import { CachedReflector } from './cached-reflector';

/** Route metadata for guards and interceptors, read once per handler. */
@Global()
@Module({ providers: [CachedReflector], exports: [CachedReflector] })
export class MetadataModule {}
