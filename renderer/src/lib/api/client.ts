import type {
  BucketListResponse,
  LdapLoginRequest,
  LoginMethods,
  LoginRequest,
  MultipartCompleteRequest,
  MultipartCreateResponse,
  ObjectListResponse,
  ObjectWriteResponse,
  SessionInfo,
  ShareResponse,
  StorageSummary,
} from '../../../../engine/api/console/types';
import { apiUrl, request } from './http';

/**
 * The console API, one typed function per call. Types come from the
 * engine's wire contract (engine/api/console/types.ts), imported as types
 * only. Uploads with progress live in upload-request.ts (XMLHttpRequest).
 */
const seg = encodeURIComponent;

export const api = {
  login: (body: LoginRequest) => request<SessionInfo>('POST', '/login', { body, quiet401: true }),
  loginMethods: () => request<LoginMethods>('GET', '/login/methods', { quiet401: true }),
  ldapLogin: (body: LdapLoginRequest) => request<SessionInfo>('POST', '/login/ldap', { body, quiet401: true }),
  logout: () => request<void>('POST', '/logout', { quiet401: true }),
  session: () => request<SessionInfo>('GET', '/session', { quiet401: true }),

  storage: (signal?: AbortSignal) => request<StorageSummary>('GET', '/storage', signal ? { signal } : {}),

  listBuckets: () => request<BucketListResponse>('GET', '/buckets'),
  createBucket: (name: string) => request<void>('POST', '/buckets', { body: { name } }),
  deleteBucket: (name: string) => request<void>('DELETE', `/buckets/${seg(name)}`),

  listObjects: (bucket: string, opts: { prefix?: string; delimiter?: string; continuation?: string; maxKeys?: number } = {}) =>
    request<ObjectListResponse>('GET', `/buckets/${seg(bucket)}/objects`, { query: { delimiter: '/', ...opts } }),
  deleteObject: (bucket: string, key: string) => request<void>('DELETE', `/buckets/${seg(bucket)}/object`, { query: { key } }),
  /** A URL the browser downloads from with the session cookie (a plain link: the download streams). */
  downloadUrl: (bucket: string, key: string) => apiUrl(`/buckets/${seg(bucket)}/object`, { key }),
  share: (bucket: string, key: string, expiresInSeconds: number) =>
    request<ShareResponse>('POST', `/buckets/${seg(bucket)}/share`, { body: { key, expiresInSeconds } }),

  createMultipart: (bucket: string, key: string, contentType: string) =>
    request<MultipartCreateResponse>('POST', `/buckets/${seg(bucket)}/uploads`, { body: { key, contentType } }),
  completeMultipart: (bucket: string, uploadId: string, body: MultipartCompleteRequest) =>
    request<ObjectWriteResponse>('POST', `/buckets/${seg(bucket)}/uploads/${seg(uploadId)}/complete`, { body }),
  abortMultipart: (bucket: string, uploadId: string, key: string) =>
    request<void>('DELETE', `/buckets/${seg(bucket)}/uploads/${seg(uploadId)}`, { query: { key } }),
  objectUrl: (bucket: string, key: string) => apiUrl(`/buckets/${seg(bucket)}/object`, { key }),
  partUrl: (bucket: string, uploadId: string, partNumber: number, key: string) =>
    apiUrl(`/buckets/${seg(bucket)}/uploads/${seg(uploadId)}/parts/${partNumber}`, { key }),
};
