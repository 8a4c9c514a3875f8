import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import type { AppConfig } from '../config/app-config';
import { ENTITIES } from './entities';

/** The one description of the database connection, shared by the app, the migration CLI and the tests. */
export function dataSourceOptions(config: AppConfig, poolMax = config.database.poolMax): DataSourceOptions {
  return {
    type: 'postgres',
    url: config.database.url,
    uuidExtension: 'pgcrypto',
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    extra: { max: poolMax, connectionTimeoutMillis: 5000, application_name: `ymera-${config.role}` },
  };
}
