//! The grammar of CodeBuild's runner label values, as AWS documents it for the GitLab runner:
//! `image:<environment-type>-<image-identifier>` for a curated image (`arm-3.0`,
//! `linux-ec2-latest`) and `image:custom-<environment-type>-<image-uri>` for any other image
//! (`custom-arm-public.ecr.aws/codebuild/amazonlinux-aarch64-standard:3.0`). CodeBuild ignores
//! labels it cannot parse, so a wrong one silently runs the job on the project's image; that is
//! why they are checked before they reach `.gitlab-ci.yml`.

use crate::framework::Diagnostics;
use crate::value::{AttributePath, Value};

/// Why a value cannot follow `image:`.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImageLabelError {
    /// Empty, or with a comma (GitLab splits tags there) or white space.
    #[error("it must be non-empty and contain no commas or white space")]
    Separator,
    /// The `custom:` spelling, which CodeBuild does not know.
    #[error(
        "custom images are written `custom-<environment-type>-<image-uri>`, with hyphens, e.g. \
         `custom-linux-{0}`"
    )]
    CustomColon(String),
    /// An image URI without the `custom-<environment-type>-` prefix.
    #[error(
        "an image from a registry needs the `custom-<environment-type>-` prefix, e.g. \
         `custom-linux-{0}` (or `custom-arm-...` for ARM)"
    )]
    BareUri(String),
    /// `custom-` without an environment type or without an image URI after it.
    #[error("it must be `custom-<environment-type>-<image-uri>`, e.g. `custom-linux-{0}`")]
    CustomIncomplete(String),
    /// No `<environment-type>-<image-identifier>` shape.
    #[error(
        "a curated image is `<environment-type>-<image-identifier>` with a lower-case \
         environment type, e.g. `linux-5.0`, `arm-3.0` or `linux-ec2-latest`"
    )]
    Curated,
}

/// Checks a value for the `image:` label.
pub fn check_image(value: &str) -> Result<(), ImageLabelError> {
    if value.is_empty() || value.contains(',') || value.chars().any(char::is_whitespace) {
        return Err(ImageLabelError::Separator);
    }
    if let Some(rest) = value.strip_prefix("custom:") {
        return Err(ImageLabelError::CustomColon(rest.to_string()));
    }
    if let Some(rest) = value.strip_prefix("custom-") {
        // The environment type ends at the first hyphen after `custom-` (as CodeBuild's own
        // examples read); the image URI is whatever follows.
        return match rest.split_once('-') {
            Some((env, uri)) if is_env_type(env) && !uri.is_empty() => Ok(()),
            _ => Err(ImageLabelError::CustomIncomplete(example_uri(rest))),
        };
    }
    if value.contains('/') || value.contains(':') {
        return Err(ImageLabelError::BareUri(value.to_string()));
    }
    // A curated image: the identifier is what follows the last hyphen (`linux-ec2-latest`).
    match value.rsplit_once('-') {
        Some((env, id)) if env.split('-').all(is_env_type) && is_identifier(id) => Ok(()),
        _ => Err(ImageLabelError::Curated),
    }
}

/// One environment-type word: lower-case letters and digits, starting with a letter.
fn is_env_type(word: &str) -> bool {
    word.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && word
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
}

/// A curated image identifier such as `5.0` or `latest`.
fn is_identifier(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
}

/// The part of an incomplete custom value that looks like the image, for the example.
fn example_uri(rest: &str) -> String {
    if rest.contains('/') || rest.contains(':') {
        rest.to_string()
    } else {
        "public.ecr.aws/docker/library/node:20".to_string()
    }
}

/// Attribute validator for the data source's `image`.
pub fn image_attribute(value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
    let Some(text) = value.as_str() else { return };
    if let Err(e) = check_image(text) {
        diags.attribute_error(
            path.clone(),
            "Invalid Runner Image Label",
            format!(
                "\"{text}\" cannot follow `image:` in a CodeBuild runner tag: {e}. CodeBuild \
                 ignores labels it cannot read and would run the job on the project's own \
                 image."
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_forms_are_accepted() {
        for ok in [
            "arm-3.0",
            "linux-5.0",
            "linux-ec2-latest",
            "al2-5.0",
            "custom-arm-public.ecr.aws/codebuild/amazonlinux-aarch64-standard:3.0",
            "custom-linux-public.ecr.aws/docker/library/node:20",
            "custom-linux-123456789012.dkr.ecr.us-east-1.amazonaws.com/tools:1.2-rc",
        ] {
            assert_eq!(check_image(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn other_forms_say_how_to_write_them() {
        let colon = check_image("custom:registry.example.com/img:1").unwrap_err();
        assert!(colon
            .to_string()
            .contains("custom-linux-registry.example.com/img:1"));
        let bare = check_image("aws/codebuild/amazonlinux-x86_64-standard:5.0").unwrap_err();
        assert!(matches!(bare, ImageLabelError::BareUri(_)));
        assert!(bare.to_string().contains("custom-linux-aws/codebuild/"));
        for bad in [
            "custom-arm",
            "custom-arm-",
            "custom-public.ecr.aws/x:1",
            "custom-",
        ] {
            assert!(
                matches!(check_image(bad), Err(ImageLabelError::CustomIncomplete(_))),
                "{bad}"
            );
        }
        for bad in ["linux", "5.0", "Linux-5.0", "-5.0", "linux-", "linux--5.0"] {
            assert_eq!(check_image(bad), Err(ImageLabelError::Curated), "{bad}");
        }
        assert_eq!(check_image("a,b"), Err(ImageLabelError::Separator));
        assert_eq!(check_image(""), Err(ImageLabelError::Separator));
    }

    #[test]
    fn the_diagnostic_points_at_the_attribute() {
        let mut d = Diagnostics::default();
        let path = AttributePath::root().attr("image");
        image_attribute(&Value::string("custom:x/y:1"), &path, &mut d);
        assert!(d.has_errors());
        assert_eq!(d.0[0].summary, "Invalid Runner Image Label");
    }
}
