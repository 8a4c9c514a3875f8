/** class-transformer's metadata storage (where `@Type` is kept), published at this path with its types elsewhere. */
declare module 'class-transformer/cjs/storage' {
  export { defaultMetadataStorage } from 'class-transformer/types/storage';
}
