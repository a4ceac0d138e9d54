import type { PostStatus, PostType, Role } from '../../storage/index.js';
import type { ImageInfo, Variant } from './image-info.js';

/** A photo in the media library. */
export interface MediaItem {
  id: number;
  /** Path of the stored original below the media root. */
  path: string;
  /** Public URL of the stored original, e.g. `/media/2026/06/bath-time-3fa2c1d0e9.jpg`. */
  url: string;
  mimeType: string;
  width: number;
  height: number;
  /** Size of the stored original. */
  bytes: number;
  alt: string;
  caption: string;
  credit: string;
  /** The name it was uploaded under; for the library only, never printed as a caption. */
  originalName: string;
  /** The user who uploaded it, if known. */
  uploadedBy: number | null;
  createdAt: string;
  variants: Variant[];
  /** What the renderer and templates need to show it as a `<picture>`. */
  image: ImageInfo;
}

/**
 * A photo to check or store: its bytes (an import's archive, a remote fetch), or the path
 * of a file on disk (an upload, written there as it arrived), which is read from disk
 * and never whole into memory. The caller removes that file afterwards.
 */
export type PhotoSource = { data: Buffer; file?: never } | { file: string; data?: never };

/** A photo as it was sent, and the name it came under. */
export type Upload = PhotoSource & {
  /** The original file name (or a title): names the stored file. Its extension is ignored. */
  name: string;
};

export type IngestInput = Upload & {
  alt?: string;
  caption?: string;
  credit?: string;
  /** The user who uploads it, who may then change and delete it (null: the system, e.g. the demo). */
  uploadedBy?: number | null;
  /**
   * Look for the same photo only among `uploadedBy`'s own (a contributor, who sees only
   * their photos, must not be handed someone else's).
   */
  dedupeOwnOnly?: boolean;
};

/** Who asks to change or delete a photo: the uploader, or editors and above. */
export interface MediaActor {
  id: number;
  role: Role;
}

/** The texts of a photo that a writer edits in the library. */
export interface MediaTextPatch {
  alt?: string;
  caption?: string;
  credit?: string;
}

/** An upload's outcome: the stored photo, or the one with the same bytes already there. */
export interface UploadResult {
  item: MediaItem;
  duplicate: boolean;
}

/** Which photos a library page shows: those in nothing, or those without alt text. */
export type MediaFilter = 'unused' | 'noalt';

export interface MediaPage {
  items: MediaItem[];
  total: number;
  page: number;
  pages: number;
}

/** A post or page, as a list of where something is used names it. */
export interface PostRef {
  id: number;
  type: PostType;
  title: string;
  slug: string;
  status: PostStatus;
}

/** Where a photo is used: as a post's feature image, in a body or editor's note, as an avatar. */
export interface MediaUsage {
  posts: (PostRef & { as: ('feature' | 'body' | 'note')[] })[];
  profiles: { id: number; name: string }[];
}

/** An image without alternative text, in a post being written or already saved. */
export interface MissingAlt {
  src: string;
  in: 'feature' | 'body' | 'note';
  /** The library photo, when the image is one. */
  mediaId?: number;
}

/** What the alt-text check reads from a post: its Markdown and its feature image. */
export interface PostImages {
  body: string;
  editorNote?: string | null;
  featureImageId?: number | null;
  featureImageAlt?: string | null;
}
