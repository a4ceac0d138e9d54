/** Photos: checking and storing uploads, their variants, the media library. */

export {
  fileOfWidth,
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
  type RerenderPosts,
} from './media-service.js';
export type {
  IngestInput,
  MediaActor,
  MediaFilter,
  MediaItem,
  MediaPage,
  MediaTextPatch,
  MediaUsage,
  MissingAlt,
  PhotoSource,
  PostImages,
  PostRef,
  Upload,
  UploadResult,
} from './types.js';
export { type EncoderSettings, VARIANT_WIDTHS } from './variants.js';
