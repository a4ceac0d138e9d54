/** Photos: checking and storing uploads, their variants, the media library. */

export {
  type ImageInfo,
  type ImageRow,
  MEDIA_URL_PREFIX,
  toImageInfo,
  type Variant,
  type VariantFormat,
} from './image-info.js';
export { formatBytes, type InputFormat, type MediaLimits } from './inspect.js';
export {
  canChangePhoto,
  DEFAULT_ENCODER,
  DEFAULT_MEDIA_LIMITS,
  MediaService,
  type MediaServiceDeps,
} from './media-service.js';
export type {
  IngestInput,
  MediaActor,
  MediaItem,
  MediaPage,
  MediaTextPatch,
  MediaUsage,
  MissingAlt,
  PhotoSource,
  PostImages,
  PostRef,
  Upload,
} from './types.js';
export { type EncoderSettings, VARIANT_WIDTHS } from './variants.js';
