import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { consoleHandler } from './console-static';

/**
 * Mounts the console's static handler once the routes are registered (Nest registers them before running
 * module init hooks) and before the not-found handlers (mounted later, at bootstrap): API requests never
 * pass through it, and unknown paths under `/api` keep their enveloped 404.
 */
@Injectable()
export class ConsoleMount implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (adapter?.getType() !== 'express') return;
    adapter.use(consoleHandler());
  }
}

/** The web console, served at `/` by the API process. */
@Module({ providers: [ConsoleMount] })
export class ConsoleModule {}
