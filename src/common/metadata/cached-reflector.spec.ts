import { SetMetadata } from '@nestjs/common';
import { CachedReflector } from './cached-reflector';

const ROLE = 'test:role';

@SetMetadata(ROLE, 'class')
class Controller {
  @SetMetadata(ROLE, 'handler')
  decorated(): void {}

  plain(): void {}
}

describe('CachedReflector', () => {
  it('answers as the Reflector does, the handler overriding its class', () => {
    const reflector = new CachedReflector();
    const proto = Controller.prototype;
    expect(reflector.getAllAndOverride(ROLE, [proto.decorated, Controller])).toBe('handler');
    expect(reflector.getAllAndOverride(ROLE, [proto.plain, Controller])).toBe('class');
    expect(reflector.get('test:other', Controller)).toBeUndefined();
  });

  it('reads each target once, and keeps an absent answer too', () => {
    const reflector = new CachedReflector();
    const read = jest.spyOn(Reflect, 'getMetadata');
    try {
      for (let i = 0; i < 3; i += 1) {
        reflector.getAllAndOverride(ROLE, [Controller.prototype.plain, Controller]);
        reflector.get('test:other', Controller);
      }
      expect(read).toHaveBeenCalledTimes(3);
    } finally {
      read.mockRestore();
    }
  });
});
