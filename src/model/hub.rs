//! Finding a model: a local directory, or a Hugging Face repo id resolved offline-first
//! through the `hf-hub` cache.

use super::{ModelError, CONFIG_FILE, SETTINGS_FILE, TOKENIZER_FILE, WEIGHTS_FILE};
use std::path::{Path, PathBuf};

/// Files fetched for a hub model; `privclause.json` is optional (defaults apply without it).
const REQUIRED: [&str; 3] = [CONFIG_FILE, TOKENIZER_FILE, WEIGHTS_FILE];

/// The model used when none is named: the one shipped in `models/`.
pub const DEFAULT_MODEL: &str = "models/privclause-m3e-small";

/// The shipped model's directory: `models/privclause-m3e-small` under the working directory
/// when it is there, else under the source tree this binary was built from.
pub fn default_model_dir() -> PathBuf {
    let local = PathBuf::from(DEFAULT_MODEL);
    if local.is_dir() {
        local
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_MODEL)
    }
}

/// Where hub models are cached and whether the network may be used.
#[derive(Debug, Clone)]
pub struct ModelLocator {
    pub cache_dir: PathBuf,
    pub offline: bool,
}

impl ModelLocator {
    /// The Hugging Face conventions: cache in `$HF_HUB_CACHE`, else `$HF_HOME/hub`, else
    /// `~/.cache/huggingface/hub`; offline when `HF_HUB_OFFLINE` is set (not `0`).
    pub fn from_env() -> Self {
        let cache_dir = match std::env::var_os("HF_HUB_CACHE") {
            Some(dir) => dir.into(),
            None => hf_hub::Cache::from_env().path().clone(),
        };
        let offline = std::env::var("HF_HUB_OFFLINE").is_ok_and(|v| !v.is_empty() && v != "0");
        Self { cache_dir, offline }
    }

    /// Resolves `--model`: an existing directory is used as is; `owner/name` is looked up in
    /// the cache and, unless offline, downloaded into it when missing. Returns the directory
    /// holding the model files.
    pub fn locate(&self, spec: &str) -> Result<PathBuf, ModelError> {
        locate_model(spec, &self.cache_dir, self.offline)
    }

    /// Resolves an optional `--model`: the shipped model when `None`.
    pub fn locate_or_default(&self, spec: Option<&str>) -> Result<PathBuf, ModelError> {
        match spec {
            Some(spec) => self.locate(spec),
            None => Ok(default_model_dir()),
        }
    }
}

fn looks_like_repo_id(spec: &str) -> bool {
    let parts: Vec<&str> = spec.split('/').collect();
    parts.len() == 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                && !p.starts_with('.')
        })
}

fn locate_model(spec: &str, cache_dir: &Path, offline: bool) -> Result<PathBuf, ModelError> {
    let as_path = Path::new(spec);
    if as_path.is_dir() {
        return Ok(as_path.to_path_buf());
    }
    if !looks_like_repo_id(spec) {
        return Err(ModelError::NotFound {
            spec: spec.into(),
            message: "no such directory, and not a Hugging Face repo id (owner/name)".into(),
        });
    }
    let cached = hf_hub::Cache::new(cache_dir.to_path_buf()).model(spec.to_string());
    if let Some(found) = REQUIRED
        .iter()
        .map(|f| cached.get(f))
        .collect::<Option<Vec<_>>>()
    {
        return Ok(snapshot_dir(&found[0]));
    }
    let hint = format!(
        "not in the Hugging Face cache at {}; fetch it once with network access \
         (privclause label --model {spec} ...), or download the repository and pass \
         --model DIR",
        cache_dir.display()
    );
    if offline {
        return Err(ModelError::NotFound {
            spec: spec.into(),
            message: format!("HF_HUB_OFFLINE is set and the model is {hint}"),
        });
    }
    download(spec, cache_dir).map_err(|e| ModelError::NotFound {
        spec: spec.into(),
        message: format!("download failed ({e}); the model is {hint}"),
    })
}

fn snapshot_dir(file: &Path) -> PathBuf {
    file.parent().map(Path::to_path_buf).unwrap_or_default()
}

fn download(spec: &str, cache_dir: &Path) -> Result<PathBuf, hf_hub::api::sync::ApiError> {
    let api = hf_hub::api::sync::ApiBuilder::new()
        .with_cache_dir(cache_dir.to_path_buf())
        .with_progress(false)
        .build()?;
    let repo = api.model(spec.to_string());
    let mut config = PathBuf::new();
    for file in REQUIRED {
        let path = repo.get(file)?;
        if file == CONFIG_FILE {
            config = path;
        }
    }
    // Optional: a model fine-tuned elsewhere has no privclause.json.
    let _ = repo.get(SETTINGS_FILE);
    Ok(snapshot_dir(&config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_ids_are_told_from_paths() {
        assert!(looks_like_repo_id("moka-ai/m3e-small"));
        assert!(!looks_like_repo_id("models"));
        assert!(!looks_like_repo_id("./models/x"));
        assert!(!looks_like_repo_id("a/b/c"));
        assert!(!looks_like_repo_id("../x"));
    }

    #[test]
    fn cached_model_is_found_without_network_and_missing_one_says_how_to_get_it() {
        let cache = tempfile::tempdir().unwrap();
        let repo = cache.path().join("models--owner--clause-model");
        let snapshot = repo.join("snapshots").join("abc123");
        std::fs::create_dir_all(&snapshot).unwrap();
        std::fs::create_dir_all(repo.join("refs")).unwrap();
        std::fs::write(repo.join("refs").join("main"), "abc123").unwrap();
        for file in REQUIRED {
            std::fs::write(snapshot.join(file), "{}").unwrap();
        }
        let locator = ModelLocator {
            cache_dir: cache.path().to_path_buf(),
            offline: true,
        };
        assert_eq!(locator.locate("owner/clause-model").unwrap(), snapshot);

        let err = locator.locate("owner/absent").unwrap_err().to_string();
        assert!(err.contains("owner/absent"), "{err}");
        assert!(err.contains("HF_HUB_OFFLINE"), "{err}");
        assert!(err.contains("--model DIR"), "{err}");
        let err = locator.locate("no-such-dir").unwrap_err().to_string();
        assert!(err.contains("no such directory"), "{err}");
    }
}
