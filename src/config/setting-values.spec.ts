import { withoutPassword } from './setting-values';

describe('withoutPassword', () => {
  it('leaves out the password of a URL however it was typed, and keeps the rest', () => {
    for (const [typed, printed] of [
      ['postgres://app:s3cret@db:5432/ymera', 'postgres://app:***@db:5432/ymera'],
      ['postgres:/postgres:Sup3rS3cretPW@127.0.0.1:5440/db', 'postgres:/postgres:***@127.0.0.1:5440/db'],
      ['postgresql:user:An0therS3cret@host/db', 'postgresql:user:***@host/db'],
      ['redis:/default:RedisPassw0rdXYZ@cache:6379', 'redis:/default:***@cache:6379'],
      ['postgres//user:pw@host/db', 'postgres//user:***@host/db'],
      ['redis://:p@ss/w:rd@cache:6379', 'redis://:***@cache:6379'],
      ['redis://only-a-token@cache:6379', 'redis://***@cache:6379'],
      ['postgres://db:5432/ymera', 'postgres://db:5432/ymera'],
    ])
      expect(withoutPassword(typed)).toBe(printed);
  });
});
