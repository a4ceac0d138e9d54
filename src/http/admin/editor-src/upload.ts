// A photo upload to the media library with XMLHttpRequest, for its upload progress
// (fetch reports none). The CSRF token goes in a header; the answer is the stored photo.

export interface Uploaded {
  id: number;
  url: string;
  markdown: string;
  /** The same photo was in the library already: this is that one (answered 200, not 201). */
  duplicate?: boolean;
}

export function uploadPhoto(
  file: File,
  csrf: string,
  onProgress: (loaded: number, total: number) => void,
): Promise<Uploaded> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/admin/media/upload');
    xhr.setRequestHeader('x-csrf-token', csrf);
    xhr.setRequestHeader('accept', 'application/json');
    xhr.responseType = 'json';
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    });
    xhr.addEventListener('load', () => {
      const answer = xhr.response as (Uploaded & { error?: { message?: string } }) | null;
      if ((xhr.status === 201 || xhr.status === 200) && answer?.url) resolve(answer);
      else reject(new Error(answer?.error?.message ?? `the upload failed (${xhr.status}).`));
    });
    xhr.addEventListener('error', () => reject(new Error('the upload did not reach the server.')));
    const data = new FormData();
    data.append('file', file, file.name || 'pasted-photo.png');
    xhr.send(data);
  });
}
