/** The `kms-key` input: a key ARN, key ID, alias or alias ARN, told apart for the IAM policy. Pure. */
import { InputError } from '../../shared/errors.js';

/**
 * The `kms-key` input as ECR's CreateRepository takes it, classified so the IAM policy can name the key:
 * a key ARN names the key itself, a bare key ID names it in the repository's account and region, and an
 * alias (name or ARN) can only be matched through the key's aliases.
 */
export type KmsKeyRef =
  | { form: 'key-arn'; value: string; partition: string; region: string; accountId: string; keyId: string }
  | { form: 'key-id'; value: string; keyId: string }
  | { form: 'alias-arn'; value: string; partition: string; region: string; accountId: string; alias: string }
  | { form: 'alias-name'; value: string; alias: string };

const KEY_ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
const ALIAS = /^alias\/[a-zA-Z0-9/_-]{1,250}$/;
const ARN = /^arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\d{12}):(key\/.+|alias\/.+)$/;

export function parseKmsKey(text: string): KmsKeyRef {
  const value = text.trim();
  if (KEY_ID.test(value)) return { form: 'key-id', value, keyId: value };
  if (ALIAS.test(value)) return { form: 'alias-name', value, alias: value };
  const arn = ARN.exec(value);
  if (arn) {
    const [, partition = '', region = '', accountId = '', resource = ''] = arn;
    if (resource.startsWith('key/') && KEY_ID.test(resource.slice(4))) {
      return { form: 'key-arn', value, partition, region, accountId, keyId: resource.slice(4) };
    }
    if (ALIAS.test(resource)) {
      return { form: 'alias-arn', value, partition, region, accountId, alias: resource };
    }
  }
  throw new InputError(
    'kms-key',
    value,
    'give a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/KEY-ID), a key ID, an alias (alias/NAME) or an alias ARN',
  );
}
