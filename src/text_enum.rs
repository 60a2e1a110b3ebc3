//! Enums that the database and forms carry as text (`'approved'`,
//! `'contributor'`...). [`text_enum!`] gives one its text, its parsing and a
//! `TryFrom<String>` for sqlx's `#[sqlx(try_from = "String")]`, so a row
//! holding a value no variant names is refused where it is read, and code
//! compares variants, never strings.

/// A text that names no variant: the value and what it should have named.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{value}`")]
pub struct UnknownValue {
    pub what: &'static str,
    pub value: String,
}

/// `text_enum!(/// doc; pub enum Role("role") { Admin = "admin", ... })`:
/// the enum with `as_str`, `ALL`, `FromStr`, `TryFrom<String>` and `Display`.
#[macro_export]
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident($what:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every variant, in declaration order.
            #[allow(dead_code)]
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The text stored and posted for this variant.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::text_enum::UnknownValue;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::text_enum::UnknownValue { what: $what, value: s.to_owned() }),
                }
            }
        }

        impl ::std::convert::TryFrom<String> for $name {
            type Error = $crate::text_enum::UnknownValue;

            fn try_from(s: String) -> Result<Self, Self::Error> {
                s.parse()
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
