import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'ymera:public';
/** Opens a route (or controller) to unauthenticated callers; everything else is denied by default. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);
