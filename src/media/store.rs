//! Where picture bytes live: one small interface over two backends, a
//! directory (the default, `data/media`) for one node and an S3-compatible
//! object store (`s3://bucket/prefix`) shared by several. Both are
//! `object_store` implementations; everything is named by content hash, so
//! a file is written once and never changes.

use std::sync::Arc;

use object_store::path::Path;
use object_store::prefix::PrefixStore;
use object_store::{ObjectStore, PutPayload};

/// The default location: a folder beside the default database.
pub const DEFAULT_URL: &str = "data/media";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("media store {url}: {source}")]
    Open { url: String, source: Box<dyn std::error::Error + Send + Sync> },
    #[error("media store: {0}")]
    Io(#[from] object_store::Error),
}

/// The media store of a site.
#[derive(Debug, Clone)]
pub struct Store {
    inner: Arc<dyn ObjectStore>,
    url: String,
}

impl Store {
    /// `s3://bucket/prefix` (credentials, region and endpoint from the
    /// usual `AWS_*` environment variables), or a folder, made when missing.
    pub fn open(url: &str) -> Result<Store, StoreError> {
        let open = |source: Box<dyn std::error::Error + Send + Sync>| StoreError::Open { url: url.to_owned(), source };
        let inner: Arc<dyn ObjectStore> = if let Some(rest) = url.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            let s3 = object_store::aws::AmazonS3Builder::from_env()
                .with_bucket_name(bucket)
                .build()
                .map_err(|e| open(e.into()))?;
            let prefix = prefix.trim_matches('/');
            if prefix.is_empty() { Arc::new(s3) } else { Arc::new(PrefixStore::new(s3, prefix)) }
        } else {
            let dir = url.strip_prefix("file://").unwrap_or(url);
            std::fs::create_dir_all(dir).map_err(|e| open(e.into()))?;
            Arc::new(object_store::local::LocalFileSystem::new_with_prefix(dir).map_err(|e| open(e.into()))?)
        };
        Ok(Store { inner, url: url.to_owned() })
    }

    /// Where it is, as configured.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Writes one object (whole: readers never see part of it).
    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), StoreError> {
        self.inner.put(&Path::from(key), PutPayload::from(bytes)).await?;
        Ok(())
    }

    /// Whether an object is there.
    pub async fn has(&self, key: &str) -> Result<bool, StoreError> {
        match self.inner.head(&Path::from(key)).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// One object's bytes, or `None` when it is not there.
    pub async fn get(&self, key: &str) -> Result<Option<bytes::Bytes>, StoreError> {
        match self.inner.get(&Path::from(key)).await {
            Ok(r) => Ok(Some(r.bytes().await?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Removes one object; one that is not there is no error.
    pub async fn delete(&self, key: &str) -> Result<(), StoreError> {
        match self.inner.delete(&Path::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

/// The key of an original as uploaded or imported (kept for export, never served).
pub fn original_key(hash: &str, ext: &str) -> String {
    format!("originals/{hash}.{ext}")
}

/// The key of a served variant, the last part of its URL.
pub fn variant_key(file: &str) -> String {
    format!("variants/{file}")
}
