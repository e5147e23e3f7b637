//! The schema language: `record!` declares jute records (struct + codec + sampler), `code_enum!` declares
//! the integer code types (opcodes, error codes...) with a raw-value fallback so unknown values never panic.

/// Declares one or more jute records. Fields are encoded in declaration order.
#[macro_export]
macro_rules! record {
    ($(
        $(#[$m:meta])*
        pub struct $name:ident { $( $(#[$fm:meta])* pub $f:ident : $t:ty ),* $(,)? }
    )*) => {$(
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
        pub struct $name { $( $(#[$fm])* pub $f: $t, )* }

        impl $crate::Jute for $name {
            fn encode(&self, _out: &mut ::bytes::BytesMut) {
                $( $crate::Jute::encode(&self.$f, _out); )*
            }
            fn decode(_r: &mut $crate::Reader) -> $crate::Result<Self> {
                Ok(Self { $( $f: $crate::Jute::decode(_r)?, )* })
            }
        }

        impl $crate::sample::Sample for $name {
            fn sample(_g: &mut $crate::sample::Gen) -> Self {
                Self { $( $f: $crate::sample::Sample::sample(_g), )* }
            }
        }
    )*};
}

/// Declares an integer code type: an enum of the known values plus `Unknown(raw)`.
#[macro_export]
macro_rules! code_enum {
    (
        $(#[$m:meta])*
        pub enum $name:ident : $repr:ty { $( $(#[$vm:meta])* $v:ident = $val:literal => $text:literal ),* $(,)? }
    ) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vm])* $v, )*
            /// A value this version does not know; carried through unchanged.
            Unknown($repr),
        }

        impl $name {
            /// Every known value, in declaration order.
            pub const ALL: &'static [$name] = &[$( $name::$v, )*];

            pub const fn from_raw(v: $repr) -> Self {
                match v {
                    $( $val => Self::$v, )*
                    other => Self::Unknown(other),
                }
            }

            pub const fn raw(self) -> $repr {
                match self {
                    $( Self::$v => $val, )*
                    Self::Unknown(v) => v,
                }
            }

            /// ZooKeeper's name for the value (`"NONODE"`, `"create"`...), or `"UNKNOWN"`.
            pub const fn name(self) -> &'static str {
                match self {
                    $( Self::$v => $text, )*
                    Self::Unknown(_) => "UNKNOWN",
                }
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::from_raw(0)
            }
        }

        impl From<$repr> for $name {
            fn from(v: $repr) -> Self {
                Self::from_raw(v)
            }
        }

        impl From<$name> for $repr {
            fn from(v: $name) -> Self {
                v.raw()
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self {
                    Self::Unknown(v) => write!(f, "UNKNOWN({v})"),
                    other => f.write_str(other.name()),
                }
            }
        }

        impl $crate::Jute for $name {
            fn encode(&self, out: &mut ::bytes::BytesMut) {
                $crate::Jute::encode(&self.raw(), out)
            }
            fn decode(r: &mut $crate::Reader) -> $crate::Result<Self> {
                Ok(Self::from_raw(<$repr as $crate::Jute>::decode(r)?))
            }
        }

        impl $crate::sample::Sample for $name {
            fn sample(g: &mut $crate::sample::Gen) -> Self {
                let all = Self::ALL;
                if all.is_empty() || g.chance(8) {
                    Self::from_raw(<$repr as $crate::sample::Sample>::sample(g))
                } else {
                    all[g.below(all.len() as u64) as usize]
                }
            }
        }
    };
}
