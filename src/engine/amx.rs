//! Intel AMX tiles for the int8 GEMM: `tdpbusd` multiplies a 16 × 64 tile of u8 activations by
//! a 64 × 16 tile of s8 weights into 16 × 16 exact 32-bit sums (16,384 products per
//! instruction, where AVX-512 VNNI does 64). Training's bf16 GEMM uses the same tile shapes
//! with `tdpbf16ps` (pairs of bf16 into f32 sums).
//!
//! The packed weights of [`super::Int8Matrix`] already have the layout AMX wants for its second
//! operand: within a block of 16 output columns, one 64-byte row per group of 4 inputs, so 16
//! consecutive groups are one tile with a 64-byte stride. The sums equal the other kernels'
//! exactly, so results do not depend on the CPU.
//!
//! Linux only: a process must ask the kernel for the AMX register state
//! (`arch_prctl(ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA)`) before its first tile instruction.
//! [`available`] does so once and says whether every part (CPU, kernel) is there.

use std::arch::asm;
use std::sync::OnceLock;

/// Rows (tokens) of one tile.
pub const TILE_ROWS: usize = 16;
/// Bytes of one tile row: 64 inputs of an activation row, or 16 columns × 4 inputs of weights.
pub const TILE_BYTES: usize = 64;

/// Whether AMX int8 tiles can be used in this process (CPU, kernel and permission).
pub fn available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| cpu_has_amx_int8() && request_tile_state())
}

/// Whether AMX bf16 tiles can be used in this process (CPU, kernel and permission).
pub fn bf16_available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| cpu_has_amx_bf16() && request_tile_state())
}

fn cpu_has_amx_bf16() -> bool {
    // CPUID leaf 7, sub-leaf 0, EDX: bit 22 AMX-BF16, bit 24 AMX-TILE.
    let leaf = std::arch::x86_64::__cpuid_count(7, 0);
    leaf.edx & (1 << 22) != 0 && leaf.edx & (1 << 24) != 0
}

fn cpu_has_amx_int8() -> bool {
    // CPUID leaf 7, sub-leaf 0, EDX: bit 24 AMX-TILE, bit 25 AMX-INT8.
    let leaf = std::arch::x86_64::__cpuid_count(7, 0);
    leaf.edx & (1 << 24) != 0 && leaf.edx & (1 << 25) != 0
}

#[cfg(target_os = "linux")]
fn request_tile_state() -> bool {
    const ARCH_GET_XCOMP_PERM: libc::c_long = 0x1022;
    const ARCH_REQ_XCOMP_PERM: libc::c_long = 0x1023;
    const XFEATURE_XTILEDATA: libc::c_long = 18;
    // SAFETY: arch_prctl with these codes only reads or sets the process's permitted
    // extended-state features; `granted` outlives the call.
    unsafe {
        if libc::syscall(
            libc::SYS_arch_prctl,
            ARCH_REQ_XCOMP_PERM,
            XFEATURE_XTILEDATA,
        ) != 0
        {
            return false;
        }
        let mut granted: u64 = 0;
        let got = libc::syscall(
            libc::SYS_arch_prctl,
            ARCH_GET_XCOMP_PERM,
            &mut granted as *mut u64,
        );
        got == 0 && granted & (1 << XFEATURE_XTILEDATA) != 0
    }
}

#[cfg(not(target_os = "linux"))]
fn request_tile_state() -> bool {
    false
}

/// The tile configuration `ldtilecfg` reads: palette 1, eight tiles of 16 rows × 64 bytes
/// (tmm0–3 sums, tmm4–5 activations, tmm6–7 weights).
#[repr(C, align(64))]
struct TileConfig {
    palette: u8,
    start_row: u8,
    reserved: [u8; 14],
    bytes_per_row: [u16; 16],
    rows: [u8; 16],
}

const CONFIG: TileConfig = {
    let mut bytes_per_row = [0u16; 16];
    let mut rows = [0u8; 16];
    let mut t = 0;
    while t < 8 {
        bytes_per_row[t] = TILE_BYTES as u16;
        rows[t] = TILE_ROWS as u8;
        t += 1;
    }
    TileConfig {
        palette: 1,
        start_row: 0,
        reserved: [0; 14],
        bytes_per_row,
        rows,
    }
};

/// The 2 × 2 tile product behind [`Tiles::multiply_32x32`] and [`Tiles::multiply_bf16_32x32`]:
/// tmm0–3 sum `$product` (the tile instruction) over `$chunks` steps of 64 bytes of two
/// 16-row tiles of `$a` (rows `$row_bytes` apart) by 1 KiB tiles of the blocks `$b0` and `$b1`,
/// then 32 rows of 32 four-byte sums go to `$c`. Must run inside `unsafe`, with the tiles
/// configured on this thread and every read and write inside its buffer.
macro_rules! tile_product_32x32 {
    ($product:literal, $a:expr, $row_bytes:expr, $b0:expr, $b1:expr, $chunks:expr, $c:expr) => {{
        let b_step = TILE_ROWS * TILE_BYTES;
        let c_stride: usize = 32 * 4;
        let (row_bytes, chunks): (usize, usize) = ($row_bytes, $chunks);
        let a0: *const u8 = $a;
        let a1 = a0.add(TILE_ROWS * row_bytes);
        let (b0, b1): (*const u8, *const u8) = ($b0, $b1);
        let c: *mut u8 = $c;
        asm!(
            "tilezero tmm0",
            "tilezero tmm1",
            "tilezero tmm2",
            "tilezero tmm3",
            options(nostack, nomem)
        );
        for k in 0..chunks {
            asm!(
                "tileloadd tmm4, [{a0} + {stride} * 1]",
                "tileloadd tmm5, [{a1} + {stride} * 1]",
                "tileloadd tmm6, [{b0} + {b_stride} * 1]",
                "tileloadd tmm7, [{b1} + {b_stride} * 1]",
                concat!($product, " tmm0, tmm4, tmm6"),
                concat!($product, " tmm1, tmm4, tmm7"),
                concat!($product, " tmm2, tmm5, tmm6"),
                concat!($product, " tmm3, tmm5, tmm7"),
                a0 = in(reg) a0.add(k * TILE_BYTES),
                a1 = in(reg) a1.add(k * TILE_BYTES),
                b0 = in(reg) b0.add(k * b_step),
                b1 = in(reg) b1.add(k * b_step),
                stride = in(reg) row_bytes,
                b_stride = in(reg) TILE_BYTES,
                options(nostack, readonly)
            );
        }
        asm!(
            "tilestored [{c00} + {stride} * 1], tmm0",
            "tilestored [{c01} + {stride} * 1], tmm1",
            "tilestored [{c10} + {stride} * 1], tmm2",
            "tilestored [{c11} + {stride} * 1], tmm3",
            c00 = in(reg) c,
            c01 = in(reg) c.add(64),
            c10 = in(reg) c.add(TILE_ROWS * c_stride),
            c11 = in(reg) c.add(TILE_ROWS * c_stride + 64),
            stride = in(reg) c_stride,
            options(nostack)
        );
    }};
}

/// The tile registers, configured for [`Tiles::multiply_32x32`] on this thread until dropped
/// (`ldtilecfg` costs hundreds of cycles: configure once per task, not per product).
pub struct Tiles {
    /// Tile state is per thread: not `Send`.
    _thread_bound: std::marker::PhantomData<*const ()>,
}

impl Tiles {
    /// Loads the tile configuration on this thread.
    ///
    /// # Safety
    /// [`available`] must have returned true.
    pub unsafe fn configure() -> Self {
        asm!("ldtilecfg [{}]", in(reg) &CONFIG as *const TileConfig, options(nostack));
        Tiles {
            _thread_bound: std::marker::PhantomData,
        }
    }

    /// Integer sums of 32 activation rows by two blocks of 16 weight columns:
    /// `sums[r * 32 + c]` for row `r` and column `c` (block 0's columns, then block 1's).
    ///
    /// `activations`: 32 rows of `width` bytes (`width` a multiple of 64, row stride `width`);
    /// `block0`, `block1`: two packed weight blocks of `width / 4` groups (64 bytes each).
    /// Panics if the slices are shorter than that.
    pub fn multiply_32x32(
        &self,
        activations: &[u8],
        width: usize,
        block0: &[i8],
        block1: &[i8],
        sums: &mut [i32; 2 * TILE_ROWS * 32],
    ) {
        assert!(width.is_multiple_of(TILE_BYTES) && width > 0);
        assert!(activations.len() >= 2 * TILE_ROWS * width);
        assert!(block0.len() >= width * 16 && block1.len() >= width * 16);
        // SAFETY: the tiles are configured (`self` exists only after `configure` on this
        // thread); every tile load reads 16 rows of 64 bytes inside the slices checked above
        // (a weight tile is 16 groups of 64 bytes: 1 KiB of a block per 64 inputs), and the
        // stores write 32 rows of 128 bytes, all of `sums`.
        unsafe {
            tile_product_32x32!(
                "tdpbusd",
                activations.as_ptr(),
                width,
                block0.as_ptr() as *const u8,
                block1.as_ptr() as *const u8,
                width / TILE_BYTES,
                sums.as_mut_ptr() as *mut u8
            );
        }
    }
}

impl Tiles {
    /// [`Self::multiply_32x32`] for 16 activation rows: `sums[r * 32 + c]` for `r < 16`.
    pub fn multiply_16x32(
        &self,
        activations: &[u8],
        width: usize,
        block0: &[i8],
        block1: &[i8],
        sums: &mut [i32; 2 * TILE_ROWS * 32],
    ) {
        assert!(width.is_multiple_of(TILE_BYTES) && width > 0);
        assert!(activations.len() >= TILE_ROWS * width);
        assert!(block0.len() >= width * 16 && block1.len() >= width * 16);
        let chunks = width / TILE_BYTES;
        let b_step = TILE_ROWS * TILE_BYTES;
        let c_stride: usize = 32 * 4;
        // SAFETY: as in `multiply_32x32`, for one tile of activation rows; the stores write
        // the first 16 rows of `sums`.
        unsafe {
            let a0 = activations.as_ptr();
            let (b0, b1) = (block0.as_ptr(), block1.as_ptr());
            let c = sums.as_mut_ptr() as *mut u8;
            asm!("tilezero tmm0", "tilezero tmm1", options(nostack, nomem));
            for k in 0..chunks {
                asm!(
                    "tileloadd tmm4, [{a0} + {stride} * 1]",
                    "tileloadd tmm6, [{b0} + {b_stride} * 1]",
                    "tileloadd tmm7, [{b1} + {b_stride} * 1]",
                    "tdpbusd tmm0, tmm4, tmm6",
                    "tdpbusd tmm1, tmm4, tmm7",
                    a0 = in(reg) a0.add(k * TILE_BYTES),
                    b0 = in(reg) b0.add(k * b_step),
                    b1 = in(reg) b1.add(k * b_step),
                    stride = in(reg) width,
                    b_stride = in(reg) TILE_BYTES,
                    options(nostack, readonly)
                );
            }
            asm!(
                "tilestored [{c00} + {stride} * 1], tmm0",
                "tilestored [{c01} + {stride} * 1], tmm1",
                c00 = in(reg) c,
                c01 = in(reg) c.add(64),
                stride = in(reg) c_stride,
                options(nostack)
            );
        }
    }
}

impl Tiles {
    /// f32 sums of 32 bf16 rows by two blocks of 16 bf16 columns (`tdpbf16ps`):
    /// `sums[r * 32 + c]` for row `r` and column `c` (block 0's columns, then block 1's).
    ///
    /// `rows`: 32 rows of `width` bf16 values (`width` a multiple of 32, row stride `width`);
    /// `block0`, `block1`: two column blocks packed as pairs, `width / 2` rows of 16 × 2 bf16
    /// (as 16 `u32`: the low half the even input, the high half the odd one).
    /// Panics if the slices are shorter than that.
    pub fn multiply_bf16_32x32(
        &self,
        rows: &[u16],
        width: usize,
        block0: &[u32],
        block1: &[u32],
        sums: &mut [f32; 2 * TILE_ROWS * 32],
    ) {
        const PAIRS_PER_TILE: usize = TILE_BYTES / 2;
        assert!(width.is_multiple_of(PAIRS_PER_TILE) && width > 0);
        assert!(rows.len() >= 2 * TILE_ROWS * width);
        assert!(block0.len() >= width * 8 && block1.len() >= width * 8);
        // SAFETY: as in `multiply_32x32`; a row is `2 * width` bytes, and a column tile is 16
        // input pairs of 64 bytes (1 KiB of a block per 32 inputs).
        unsafe {
            tile_product_32x32!(
                "tdpbf16ps",
                rows.as_ptr() as *const u8,
                width * 2,
                block0.as_ptr() as *const u8,
                block1.as_ptr() as *const u8,
                width / PAIRS_PER_TILE,
                sums.as_mut_ptr() as *mut u8
            );
        }
    }
}

impl Drop for Tiles {
    fn drop(&mut self) {
        // SAFETY: the tiles were configured on this thread; releasing returns them to init.
        unsafe { asm!("tilerelease", options(nostack, nomem)) };
    }
}
