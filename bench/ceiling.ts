import 'reflect-metadata';
import { createSecretKey } from 'node:crypto';
import { Controller, Get, Headers, HttpCode, Inject, Module, Post, UnauthorizedException } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { JwtModule, JwtService } from '@nestjs/jwt';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { Pool } from 'pg';

/**
 * The least a submit endpoint must do, as a ceiling to measure the platform against: verify an HS256 JWT,
 * insert one row in Postgres, add one BullMQ job. And a constant GET. Settings come from the environment.
 */
const env = process.env;
const PG = Symbol('PG');
const QUEUE = Symbol('QUEUE');

@Controller()
class CeilingController {
  constructor(
    @Inject(PG) private readonly pool: Pool,
    @Inject(QUEUE) private readonly queue: Queue,
    private readonly jwt: JwtService,
  ) {}

  @Post('submit')
  @HttpCode(202)
  async submit(@Headers('authorization') authorization = ''): Promise<{ id: string }> {
    try {
      this.jwt.verify(authorization.replace(/^Bearer /, ''));
    } catch {
      throw new UnauthorizedException();
    }
    const { rows } = await this.pool.query<{ id: string }>(
      'INSERT INTO ceiling_rows (payload) VALUES ($1) RETURNING id',
      [{ expression: '1 + 1' }],
    );
    await this.queue.add('noop', { id: rows[0].id }, { jobId: rows[0].id, removeOnComplete: true });
    return { id: rows[0].id };
  }

  @Get('constant')
  constant(): { ok: true } {
    return { ok: true };
  }
}

@Module({
  imports: [
    JwtModule.register({
      secret: createSecretKey(Buffer.from(env.JWT_SECRET ?? '')),
      verifyOptions: { algorithms: ['HS256'] },
    }),
  ],
  controllers: [CeilingController],
  providers: [
    { provide: PG, useFactory: () => new Pool({ connectionString: env.DATABASE_URL, max: 20 }) },
    {
      provide: QUEUE,
      useFactory: () =>
        new Queue('ceiling', {
          connection: new Redis(env.REDIS_URL ?? '', { maxRetriesPerRequest: null }),
          prefix: `${env.REDIS_PREFIX}:bull`,
        }),
    },
  ],
})
class CeilingModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create(CeilingModule, { logger: ['error'] });
  const pool = app.get<Pool>(PG);
  await pool.query(
    'CREATE TABLE IF NOT EXISTS ceiling_rows (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), payload jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())',
  );
  await app.listen(Number(env.PORT ?? 0), '127.0.0.1');
  process.stdout.write(`ceiling listening on ${await app.getUrl()}\n`);
}

void main();
