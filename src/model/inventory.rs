//! [`Inventory`]: one configuration in the shape of its provider, held without naming the
//! provider, so that the set of providers stays open.
//!
//! A provider's configuration type implements [`ProviderInventory`] (in the provider's own
//! folder); the rest of the crate holds it as an [`Inventory`] and reaches the provider's fields
//! only through the provider's table entry, which downcasts with [`Inventory::downcast_ref`].

use std::any::Any;
use std::fmt;

use super::Provider;

/// What every provider's configuration type offers the provider-neutral code.
///
/// Implemented by plain data types (`Clone + Eq`); [`Inventory`] erases them.
pub trait ProviderInventory: fmt::Debug + Clone + Eq + Send + Sync + 'static {
    /// The provider whose inventory API the type is the configuration of.
    const PROVIDER: Provider;

    /// The configuration id, unique within its bucket.
    fn id(&self) -> &str;
    /// The id, to change (callers keep ids unique within the bucket).
    fn id_mut(&mut self) -> &mut String;
    /// Whether the service produces reports for it.
    fn enabled(&self) -> bool;
    /// Whether the service produces reports for it, to read or change.
    fn enabled_mut(&mut self) -> &mut bool;
    /// The object key prefix its reports are limited to, to read or change.
    fn filter_prefix_mut(&mut self) -> &mut Option<String>;
}

/// Implements [`ProviderInventory`] for a configuration type with `id` and `enabled` fields,
/// its filter prefix at the field path given, of the provider named `PROVIDER` in the calling
/// module's parent: `provider_inventory!(CosInventory, filter.prefix);`.
macro_rules! provider_inventory {
    ($type:ty, $($prefix:ident).+) => {
        impl $crate::model::ProviderInventory for $type {
            const PROVIDER: $crate::model::Provider = super::PROVIDER;

            fn id(&self) -> &str {
                &self.id
            }
            fn id_mut(&mut self) -> &mut String {
                &mut self.id
            }
            fn enabled(&self) -> bool {
                self.enabled
            }
            fn enabled_mut(&mut self) -> &mut bool {
                &mut self.enabled
            }
            fn filter_prefix_mut(&mut self) -> &mut Option<String> {
                &mut self.$($prefix).+
            }
        }
    };
}
pub(crate) use provider_inventory;

/// The object-safe face of a [`ProviderInventory`], implemented for every one.
trait Erased: fmt::Debug + Send + Sync {
    fn provider(&self) -> Provider;
    fn id(&self) -> &str;
    fn id_mut(&mut self) -> &mut String;
    fn enabled(&self) -> bool;
    fn enabled_mut(&mut self) -> &mut bool;
    fn filter_prefix_mut(&mut self) -> &mut Option<String>;
    fn clone_box(&self) -> Box<dyn Erased>;
    fn equals(&self, other: &dyn Erased) -> bool;
    fn as_any(&self) -> &dyn Any;
}

impl<T: ProviderInventory> Erased for T {
    fn provider(&self) -> Provider {
        T::PROVIDER
    }
    fn id(&self) -> &str {
        ProviderInventory::id(self)
    }
    fn id_mut(&mut self) -> &mut String {
        ProviderInventory::id_mut(self)
    }
    fn enabled(&self) -> bool {
        ProviderInventory::enabled(self)
    }
    fn enabled_mut(&mut self) -> &mut bool {
        ProviderInventory::enabled_mut(self)
    }
    fn filter_prefix_mut(&mut self) -> &mut Option<String> {
        ProviderInventory::filter_prefix_mut(self)
    }
    fn clone_box(&self) -> Box<dyn Erased> {
        Box::new(self.clone())
    }
    fn equals(&self, other: &dyn Erased) -> bool {
        other.as_any().downcast_ref::<T>() == Some(self)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// One inventory configuration of one bucket, in the shape of its provider.
///
/// Two configurations are equal when they are of the same provider and equal in its shape.
pub struct Inventory(Box<dyn Erased>);

impl Inventory {
    /// Wraps a provider's configuration.
    pub fn new<T: ProviderInventory>(configuration: T) -> Self {
        Inventory(Box::new(configuration))
    }

    /// The configuration in its provider's shape, `None` when it is another provider's.
    pub fn downcast_ref<T: ProviderInventory>(&self) -> Option<&T> {
        self.0.as_any().downcast_ref()
    }

    /// The configuration id, unique within its bucket.
    pub fn id(&self) -> &str {
        self.0.id()
    }

    /// Gives the configuration another id (callers keep ids unique within the bucket).
    pub fn set_id(&mut self, id: String) {
        *self.0.id_mut() = id;
    }

    /// Whether the service produces reports for it.
    pub fn enabled(&self) -> bool {
        self.0.enabled()
    }

    /// Whether the service produces reports for it, to read or change.
    pub fn enabled_mut(&mut self) -> &mut bool {
        self.0.enabled_mut()
    }

    /// The object key prefix its reports are limited to, to read or change.
    pub fn filter_prefix_mut(&mut self) -> &mut Option<String> {
        self.0.filter_prefix_mut()
    }

    /// The provider this configuration belongs to.
    pub fn provider(&self) -> Provider {
        self.0.provider()
    }
}

impl Clone for Inventory {
    fn clone(&self) -> Self {
        Inventory(self.0.clone_box())
    }
}

impl PartialEq for Inventory {
    fn eq(&self, other: &Self) -> bool {
        self.0.equals(other.0.as_ref())
    }
}

impl Eq for Inventory {}

impl fmt::Debug for Inventory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<T: ProviderInventory> From<T> for Inventory {
    fn from(configuration: T) -> Self {
        Inventory::new(configuration)
    }
}

/// Bucket-level settings only one provider has (`spec.<key>` of a manifest, beside `bucket`,
/// `region`, `endpoint`), carried from the manifest to the provider's client constructor and
/// rendered back by `import`. Opaque to everything but the provider that declares them, which
/// reads them back with [`ProviderBucketOptions::downcast_ref`].
///
/// A provider without such keys uses [`ProviderBucketOptions::none`].
#[derive(Default)]
pub struct ProviderBucketOptions(Option<Box<dyn ErasedOptions>>);

/// What a provider's bucket-level settings type must be: plain data.
pub trait BucketOptions: fmt::Debug + Clone + Eq + Send + Sync + 'static {}

impl<T: fmt::Debug + Clone + Eq + Send + Sync + 'static> BucketOptions for T {}

trait ErasedOptions: fmt::Debug + Send + Sync {
    fn clone_box(&self) -> Box<dyn ErasedOptions>;
    fn equals(&self, other: &dyn ErasedOptions) -> bool;
    fn as_any(&self) -> &dyn Any;
}

impl<T: BucketOptions> ErasedOptions for T {
    fn clone_box(&self) -> Box<dyn ErasedOptions> {
        Box::new(self.clone())
    }
    fn equals(&self, other: &dyn ErasedOptions) -> bool {
        other.as_any().downcast_ref::<T>() == Some(self)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl ProviderBucketOptions {
    /// No provider-specific bucket-level settings.
    pub fn none() -> Self {
        ProviderBucketOptions(None)
    }

    /// A provider's own settings.
    pub fn new<T: BucketOptions>(options: T) -> Self {
        ProviderBucketOptions(Some(Box::new(options)))
    }

    /// The settings in their provider's type; `None` when there are none or they are another
    /// type.
    pub fn downcast_ref<T: BucketOptions>(&self) -> Option<&T> {
        self.0.as_deref()?.as_any().downcast_ref()
    }

    /// True when no provider-specific settings are held.
    pub fn is_none(&self) -> bool {
        self.0.is_none()
    }
}

impl Clone for ProviderBucketOptions {
    fn clone(&self) -> Self {
        ProviderBucketOptions(self.0.as_ref().map(|options| options.clone_box()))
    }
}

impl PartialEq for ProviderBucketOptions {
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (None, None) => true,
            (Some(a), Some(b)) => a.equals(b.as_ref()),
            _ => false,
        }
    }
}

impl Eq for ProviderBucketOptions {}

impl fmt::Debug for ProviderBucketOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            None => f.write_str("None"),
            Some(options) => options.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq, Eq)]
    struct Plain {
        id: String,
        enabled: bool,
        prefix: Option<String>,
    }

    impl ProviderInventory for Plain {
        const PROVIDER: Provider = Provider::named("plain");
        fn id(&self) -> &str {
            &self.id
        }
        fn id_mut(&mut self) -> &mut String {
            &mut self.id
        }
        fn enabled(&self) -> bool {
            self.enabled
        }
        fn enabled_mut(&mut self) -> &mut bool {
            &mut self.enabled
        }
        fn filter_prefix_mut(&mut self) -> &mut Option<String> {
            &mut self.prefix
        }
    }

    #[derive(Debug, Clone, PartialEq, Eq)]
    struct Other(Plain);

    impl ProviderInventory for Other {
        const PROVIDER: Provider = Provider::named("other");
        fn id(&self) -> &str {
            &self.0.id
        }
        fn id_mut(&mut self) -> &mut String {
            &mut self.0.id
        }
        fn enabled(&self) -> bool {
            self.0.enabled
        }
        fn enabled_mut(&mut self) -> &mut bool {
            &mut self.0.enabled
        }
        fn filter_prefix_mut(&mut self) -> &mut Option<String> {
            &mut self.0.prefix
        }
    }

    fn plain(id: &str) -> Plain {
        Plain {
            id: id.into(),
            enabled: true,
            prefix: None,
        }
    }

    #[test]
    fn equal_only_within_one_provider_and_shape() {
        assert_eq!(Inventory::new(plain("a")), Inventory::new(plain("a")));
        assert_ne!(Inventory::new(plain("a")), Inventory::new(plain("b")));
        assert_ne!(
            Inventory::new(plain("a")),
            Inventory::new(Other(plain("a")))
        );
    }

    #[test]
    fn the_shared_fields_change_the_provider_shape() {
        let mut inventory = Inventory::new(plain("a"));
        inventory.set_id("b".into());
        *inventory.enabled_mut() = false;
        *inventory.filter_prefix_mut() = Some("logs/".into());
        let shape = inventory.downcast_ref::<Plain>().unwrap();
        assert_eq!((shape.id.as_str(), shape.enabled), ("b", false));
        assert_eq!(shape.prefix.as_deref(), Some("logs/"));
        assert_eq!(inventory.provider().as_str(), "plain");
        assert!(inventory.downcast_ref::<Other>().is_none());
    }

    #[test]
    fn bucket_options_compare_by_type_and_value() {
        assert_eq!(
            ProviderBucketOptions::none(),
            ProviderBucketOptions::default()
        );
        assert_eq!(
            ProviderBucketOptions::new(1u8),
            ProviderBucketOptions::new(1u8)
        );
        assert_ne!(
            ProviderBucketOptions::new(1u8),
            ProviderBucketOptions::new(1u16)
        );
        assert_ne!(
            ProviderBucketOptions::new(1u8),
            ProviderBucketOptions::none()
        );
        assert_eq!(
            ProviderBucketOptions::new(7u8).downcast_ref::<u8>(),
            Some(&7)
        );
    }
}
