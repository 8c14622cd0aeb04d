export {
  type BlobStore,
  type ByteRange,
  type SignedGetUrlOptions,
  type StoredObject,
} from './blob-store';
export { type HashedUpload, TooLargeError, uploadHashed } from './hashed-upload';
export { S3BlobStore, type S3Options } from './s3-blob-store';
