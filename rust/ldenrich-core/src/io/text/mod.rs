//! Line-oriented access to plain, gzip and BGZF text files, detected by magic bytes, and field
//! splitting that never allocates per field. The parts, each re-exported here:
//!
//! * `sniff`: [`Compression`], the storage format read off a file's first bytes;
//! * `reader`: [`LineReader`], one line at a time, and the [`MAX_LINE`] limit;
//! * `chunks`: [`par_chunks`] and [`par_chunks_fold`], the parallel parse of the rest of a file
//!   in chunks of whole lines, iterated with [`Lines`];
//! * `bgzf`: BGZF blocks read in batches and inflated by the parsing workers;
//! * `fill`: the buffer-filling read loop they all use;
//! * `fields`: [`Delimiter`], [`split_fields`], [`FieldSplitter`], [`field`] and [`show`];
//! * `numbers`: [`parse_f64`], [`parse_u64`], [`parse_i64`] and [`is_missing_token`];
//! * `prefix`: [`resolve_prefix`] for PLINK-style file-or-prefix arguments.

mod bgzf;
mod chunks;
mod fields;
mod fill;
mod numbers;
mod prefix;
mod reader;
mod sniff;

pub use chunks::{par_chunks, par_chunks_fold, Lines};
pub use fields::{field, show, split_fields, Delimiter, FieldSplitter};
// The ISA-L inflater fills its buffers with the same loop.
#[cfg(feature = "isal")]
pub(crate) use fill::read_chunk;
pub use numbers::{is_missing_token, parse_f64, parse_i64, parse_u64};
pub use prefix::resolve_prefix;
pub(crate) use reader::READ_BUFFER;
pub use reader::{LineReader, MAX_LINE};
pub use sniff::Compression;
