import { Global, Module } from '@nestjs/common';
import { SecretsCipher } from './secrets-cipher';

@Global()
@Module({ providers: [SecretsCipher], exports: [SecretsCipher] })
export class CryptoModule {}
