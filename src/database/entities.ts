/** Every TypeORM entity of the application, so the app, the CLI and the schema check see the same model. */
export const ENTITIES: Function[] = [];
