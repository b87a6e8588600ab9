//! An error with its causes on one line, `outer: cause: root`, for logs, reports and notices.

use std::error::Error;
use std::fmt;

/// Displays an error followed by each of its `source`s, separated by `": "`.
///
/// A cause whose text repeats the previous one is printed once (HTTP stacks wrap errors that
/// repeat their cause), and a cause whose text holds a URL (`://`) is left out: a request URL
/// may carry a pre-signed query.
pub struct Chain<'a>(pub &'a (dyn Error + 'a));

impl fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut last = self.0.to_string();
        f.write_str(&last)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            let text = cause.to_string();
            if !text.is_empty() && !last.ends_with(&text) && !text.contains("://") {
                write!(f, ": {text}")?;
            }
            last = text;
            source = cause.source();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Layer(&'static str, Option<Box<Layer>>);

    impl fmt::Display for Layer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }

    impl Error for Layer {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            self.1.as_deref().map(|l| l as &(dyn Error + 'static))
        }
    }

    fn chain(layers: &[&'static str]) -> Layer {
        layers
            .iter()
            .rev()
            .fold(None, |inner, text| Some(Layer(text, inner.map(Box::new))))
            .unwrap()
    }

    #[test]
    fn every_cause_follows_its_error_once() {
        let error = chain(&[
            "cos list on b",
            "connection failed",
            "connection failed",
            "refused",
        ]);
        assert_eq!(
            Chain(&error).to_string(),
            "cos list on b: connection failed: refused"
        );
    }

    #[test]
    fn causes_naming_a_url_are_left_out() {
        let error = chain(&["send", "error for url (http://h/?q-signature=x)", "reset"]);
        assert_eq!(Chain(&error).to_string(), "send: reset");
    }
}
