/**
 * A stored image as the Markdown renderer and `pictureHtml` need it: size, text and
 * responsive variants. The media library's `ImageInfo` is one.
 */
export interface PictureImage {
  src: string;
  width: number;
  height: number;
  alt: string;
  caption: string;
  credit: string;
  /** Responsive sources, best format first; the last one is the fallback format. */
  sources: { type: string; srcset: string }[];
}

/** What a render may look up: stored images by URL and links written as `post:slug`. */
export interface RenderContext {
  [key: string | symbol]: unknown;
  image?(src: string): PictureImage | undefined;
  link?(href: string): string | undefined;
}
