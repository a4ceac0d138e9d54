import { HearthError } from './errors.js';

/** Local disk: `<dataDir>/media`. */
export interface DiskMediaConfig {
  kind: 'disk';
}

/** An S3-compatible bucket, with what the AWS SDK's standard variables said (the rest it finds itself). */
export interface S3MediaConfig {
  kind: 's3';
  bucket: string;
  /** Folder in the bucket without slashes at either end; '' for the root. */
  prefix: string;
  endpoint: string | undefined;
  region: string | undefined;
  forcePathStyle: boolean;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string | undefined } | undefined;
  requestChecksumCalculation: 'WHEN_SUPPORTED' | 'WHEN_REQUIRED' | undefined;
  responseChecksumValidation: 'WHEN_SUPPORTED' | 'WHEN_REQUIRED' | undefined;
}

export type MediaConfig = DiskMediaConfig | S3MediaConfig;

const fail = (field: string, reason: string, value?: string): never => {
  throw new HearthError('HEARTH_ERR_CONFIG', {
    field,
    reason: `${reason}${value === undefined ? '' : ` (got "${value}")`}`,
  });
};

/**
 * Reads `s3://bucket/optional/prefix` (or `file:`, the data folder); `field` names the
 * variable in errors. Undefined for `file:`.
 */
export function parseS3Url(value: string, field: string): { bucket: string; prefix: string } | undefined {
  if (value === 'file:' || value === 'file://') return undefined;
  const match = /^s3:\/\/([^/?#\s]+)(?:\/([^?#]*))?$/.exec(value);
  if (!match) return fail(field, 'must be s3://bucket/optional/prefix, or file: for the data folder', value);
  const bucket = match[1] as string;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{1,254}$/.test(bucket))
    return fail(field, 'the bucket name may hold letters, digits, dots and dashes only', value);
  const prefix = (match[2] ?? '').replace(/^\/+|\/+$/g, '');
  const segments = prefix === '' ? [] : prefix.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..' || /\s/.test(s)))
    return fail(field, 'the prefix may not hold empty, . or .. folders, or spaces', value);
  return { bucket, prefix };
}

function checksumMode(env: Record<string, string | undefined>, field: string) {
  const value = env[field];
  if (value === undefined || value === '') return undefined;
  const mode = value.toUpperCase();
  if (mode !== 'WHEN_SUPPORTED' && mode !== 'WHEN_REQUIRED')
    return fail(field, 'must be when_supported or when_required', value);
  return mode;
}

/** The endpoint, region, credentials and checksum settings, from the AWS SDK's own variables. */
export function readS3Settings(
  env: Record<string, string | undefined>,
  location: { bucket: string; prefix: string },
  forcePathStyle: boolean,
): S3MediaConfig {
  const endpointField = env.AWS_ENDPOINT_URL_S3 ? 'AWS_ENDPOINT_URL_S3' : 'AWS_ENDPOINT_URL';
  const endpoint = env[endpointField] || undefined;
  if (endpoint !== undefined) {
    let ok = false;
    try {
      ok = /^https?:$/.test(new URL(endpoint).protocol);
    } catch {}
    if (!ok) fail(endpointField, 'must be an http(s) URL such as https://s3.example.org', endpoint);
  }
  // With an endpoint of its own a store rarely cares; the SDK needs one all the same.
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || (endpoint ? 'us-east-1' : undefined);
  const keyId = env.AWS_ACCESS_KEY_ID || undefined;
  const secret = env.AWS_SECRET_ACCESS_KEY || undefined;
  if (keyId && !secret) fail('AWS_SECRET_ACCESS_KEY', 'is needed with AWS_ACCESS_KEY_ID');
  if (secret && !keyId) fail('AWS_ACCESS_KEY_ID', 'is needed with AWS_SECRET_ACCESS_KEY');
  return {
    kind: 's3',
    ...location,
    endpoint,
    region,
    forcePathStyle,
    credentials:
      keyId && secret
        ? { accessKeyId: keyId, secretAccessKey: secret, sessionToken: env.AWS_SESSION_TOKEN || undefined }
        : undefined,
    // A store other than AWS (an endpoint of its own) gets the checksums every S3 store
    // understands, unless told otherwise: several take the SDK's newer default badly.
    requestChecksumCalculation:
      checksumMode(env, 'AWS_REQUEST_CHECKSUM_CALCULATION') ?? (endpoint ? 'WHEN_REQUIRED' : undefined),
    responseChecksumValidation:
      checksumMode(env, 'AWS_RESPONSE_CHECKSUM_VALIDATION') ?? (endpoint ? 'WHEN_REQUIRED' : undefined),
  };
}

/** HEARTH_MEDIA_URL, HEARTH_MEDIA_PUBLIC_URL and HEARTH_S3_FORCE_PATH_STYLE, checked together. */
export function readMediaConfig(
  env: Record<string, string | undefined>,
  values: { mediaUrl: string | undefined; publicUrl: string | undefined; forcePathStyle: boolean },
): { media: MediaConfig; mediaPublicUrl: string | undefined } {
  const location = values.mediaUrl === undefined ? undefined : parseS3Url(values.mediaUrl, 'HEARTH_MEDIA_URL');
  if (values.publicUrl !== undefined && !location)
    fail('HEARTH_MEDIA_PUBLIC_URL', 'needs HEARTH_MEDIA_URL=s3://… (files on disk are served by Hearth itself)');
  return {
    media: location ? readS3Settings(env, location, values.forcePathStyle) : { kind: 'disk' },
    mediaPublicUrl: values.publicUrl?.replace(/\/+$/, ''),
  };
}
