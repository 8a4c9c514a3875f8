import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Web-vitals reports from browsers, pruned by age. */
export class WebVitals1763940000000 implements MigrationInterface {
  name = 'WebVitals1763940000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "web_vitals" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "name" character varying(8) NOT NULL,
        "value" double precision NOT NULL,
        "rating" character varying(20),
        "metric_id" character varying(100) NOT NULL,
        "session_id" character varying(100),
        "url" character varying(2048),
        "reported_at" TIMESTAMP WITH TIME ZONE,
        "received_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT "web_vitals_pk" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE INDEX "web_vitals_received_at_idx" ON "web_vitals" ("received_at")`);
    await q.query(`CREATE INDEX "web_vitals_name_received_idx" ON "web_vitals" ("name", "received_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "web_vitals"`);
  }
}
