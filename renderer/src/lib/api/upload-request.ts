import { ApiError } from './api-error';
import { announceExpired, csrfHeaders, errorFrom } from './http';

/**
 * A raw-body PUT with upload progress: fetch cannot report how much of a
 * request body has been sent, XMLHttpRequest can. Resolves to the parsed
 * JSON answer; rejects with an ApiError (`Aborted` when the signal fired).
 */
export function putWithProgress<T>(url: string, body: Blob, opts: { contentType?: string; signal?: AbortSignal; onProgress?: (sent: number) => void } = {}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    for (const [k, v] of Object.entries(csrfHeaders())) xhr.setRequestHeader(k, v);
    xhr.setRequestHeader('content-type', opts.contentType || 'application/octet-stream');
    xhr.upload.onprogress = (e) => opts.onProgress?.(e.loaded);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve(JSON.parse(xhr.responseText) as T);
        } catch {
          reject(new ApiError('InternalError', xhr.status, 'The engine answered the upload with something that is not JSON.'));
        }
        return;
      }
      const err = errorFrom(xhr.status, xhr.responseText);
      if (err.code === 'SessionExpired') announceExpired(err);
      reject(err);
    };
    xhr.onerror = () => reject(new ApiError('NetworkError', 0, 'The upload lost its connection to the Granary engine.'));
    xhr.onabort = () => reject(new ApiError('Aborted', 0, 'Cancelled.'));
    if (opts.signal) {
      if (opts.signal.aborted) return reject(new ApiError('Aborted', 0, 'Cancelled.'));
      opts.signal.addEventListener('abort', () => xhr.abort(), { once: true });
    }
    xhr.send(body);
  });
}
