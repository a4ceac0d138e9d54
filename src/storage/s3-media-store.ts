import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { HearthError } from '../errors.js';
import { checkMediaPath, contentTypeOf, isMediaPath, type MediaStat, type MediaStore } from './media-store.js';

/**
 * Where and how to reach an S3-compatible bucket. What is not given the AWS SDK finds as
 * it always does (its environment variables, ~/.aws files, instance roles).
 */
export interface S3MediaStoreOptions {
  bucket: string;
  /** Folder inside the bucket without slashes at either end; '' for the bucket's root. */
  prefix: string;
  endpoint?: string | undefined;
  region?: string | undefined;
  forcePathStyle?: boolean | undefined;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string | undefined } | undefined;
  /**
   * 'WHEN_REQUIRED' for stores that do not understand the SDK's default checksums
   * (streamed bodies sent as aws-chunked with a CRC32 trailer): s3rver stores those bytes as they come.
   */
  requestChecksumCalculation?: 'WHEN_SUPPORTED' | 'WHEN_REQUIRED' | undefined;
  responseChecksumValidation?: 'WHEN_SUPPORTED' | 'WHEN_REQUIRED' | undefined;
}

interface AwsError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

function isMissing(error: unknown): boolean {
  const e = error as AwsError;
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}

/** Why a bucket cannot be used, in words, from what the SDK threw. */
export function describeS3Error(error: unknown, options: Pick<S3MediaStoreOptions, 'bucket' | 'endpoint'>): string {
  const e = error as AwsError;
  const status = e?.$metadata?.httpStatusCode;
  const where = options.endpoint ?? 'AWS S3';
  if (e?.name === 'NoSuchBucket' || (e?.name === 'NotFound' && status === 404) || status === 404)
    return `the bucket "${options.bucket}" does not exist at ${where}`;
  if (
    status === 403 ||
    e?.name === 'Forbidden' ||
    e?.name === 'InvalidAccessKeyId' ||
    e?.name === 'SignatureDoesNotMatch'
  )
    return `access to the bucket "${options.bucket}" was refused: the credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) are wrong or may not use it`;
  if (status === 301 || e?.name === 'PermanentRedirect')
    return `the bucket "${options.bucket}" is in another region: set AWS_REGION to its region`;
  if (e?.name === 'CredentialsProviderError')
    return 'no credentials were found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)';
  if (e?.code && /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|ETIMEDOUT|EHOSTUNREACH)$/.test(e.code))
    return `cannot reach ${where} (${e.code}): check AWS_ENDPOINT_URL_S3`;
  return `${e?.name ?? 'error'}: ${e?.message || `HTTP ${status ?? '?'}`}`;
}

/**
 * Media in an S3-compatible bucket (AWS S3, Cloudflare R2, Backblaze B2, MinIO, Garage)
 * through the official AWS SDK. Files are objects under `prefix/`; `putFile` streams from
 * disk with a known length, so a file is never held in memory whole.
 */
export function createS3MediaStore(options: S3MediaStoreOptions): MediaStore & { client: S3Client } {
  const config: S3ClientConfig = {
    // Fail fast when the endpoint does not answer; a slow object may still take its time.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 120_000 },
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.region ? { region: options.region } : {}),
    ...(options.forcePathStyle !== undefined ? { forcePathStyle: options.forcePathStyle } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.requestChecksumCalculation ? { requestChecksumCalculation: options.requestChecksumCalculation } : {}),
    ...(options.responseChecksumValidation ? { responseChecksumValidation: options.responseChecksumValidation } : {}),
  };
  const client = new S3Client(config);
  const { bucket } = options;
  const base = options.prefix === '' ? '' : `${options.prefix}/`;
  const location = `s3://${bucket}${options.prefix === '' ? '' : `/${options.prefix}`}`;
  const keyOf = (relativePath: string) => `${base}${checkMediaPath(relativePath)}`;
  const statOf = (o: {
    ContentLength?: number | undefined;
    ETag?: string | undefined;
    LastModified?: Date | undefined;
    ContentType?: string | undefined;
    key: string;
  }): MediaStat => ({
    size: o.ContentLength ?? 0,
    etag: o.ETag ?? '""',
    lastModified: o.LastModified ?? new Date(0),
    contentType: o.ContentType ?? contentTypeOf(o.key),
  });

  return {
    client,
    root: undefined,
    location,
    async put(relativePath, data) {
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: keyOf(relativePath),
          Body: data,
          ContentLength: data.length,
          ContentType: contentTypeOf(relativePath),
        }),
      );
    },
    async putFile(relativePath, sourceFile) {
      const { size } = await fs.stat(sourceFile);
      const body = createReadStream(sourceFile);
      try {
        await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: keyOf(relativePath),
            Body: body,
            ContentLength: size,
            ContentType: contentTypeOf(relativePath),
          }),
        );
      } finally {
        // The SDK pipes the file but never closes it when the request fails.
        body.destroy();
      }
    },
    async read(relativePath) {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: keyOf(relativePath) }));
        return out.Body ? Buffer.from(await out.Body.transformToByteArray()) : Buffer.alloc(0);
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },
    async open(relativePath) {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: keyOf(relativePath) }));
        // In Node the body is the response itself, a Readable.
        return { ...statOf({ ...out, key: relativePath }), body: out.Body as Readable };
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },
    async stat(relativePath) {
      try {
        const out = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: keyOf(relativePath) }));
        return statOf({ ...out, key: relativePath });
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },
    async *list() {
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            ...(base ? { Prefix: base } : {}),
            ...(token ? { ContinuationToken: token } : {}),
          }),
        );
        for (const object of page.Contents ?? []) {
          const relativePath = object.Key?.slice(base.length) ?? '';
          if (isMediaPath(relativePath)) yield { path: relativePath, size: object.Size ?? 0 };
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    },
    async remove(relativePath) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: keyOf(relativePath) }));
    },
    async check() {
      try {
        await client.send(new HeadBucketCommand({ Bucket: bucket }));
      } catch (error) {
        throw new HearthError(
          'HEARTH_ERR_MEDIA_STORE',
          { location, reason: describeS3Error(error, options) },
          { cause: error },
        );
      }
    },
  };
}
