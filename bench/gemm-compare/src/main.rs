//! constnet's dense kernels against `matrixmultiply` and `gemm` (one thread)
//! on the shapes of `BENCHMARKS.md`. See README.md.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

use constnet::math::{self, KernelPath};

/// `System`, counting `alloc`, `alloc_zeroed` and `realloc` calls.
struct Counting;
static ALLOCS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        unsafe { System.alloc(l) }
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        unsafe { System.alloc_zeroed(l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, size: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        unsafe { System.realloc(p, l, size) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const REPS: usize = 9;
const MIN_LOOP: Duration = Duration::from_millis(20);

/// Seconds and heap allocations per call: the median of `REPS` loops of at least `MIN_LOOP`.
fn measure(mut f: impl FnMut()) -> (f64, f64) {
    f();
    let mut iters = 1u64;
    loop {
        let t = Instant::now();
        (0..iters).for_each(|_| f());
        let e = t.elapsed();
        if e >= MIN_LOOP {
            iters = iters.max((iters as f64 * 1.25 * MIN_LOOP.as_secs_f64() / e.as_secs_f64()).ceil() as u64);
            break;
        }
        iters *= 2;
    }
    let mut ts = [0.0f64; REPS];
    let a0 = ALLOCS.load(Relaxed);
    for t in &mut ts {
        let start = Instant::now();
        (0..iters).for_each(|_| f());
        *t = start.elapsed().as_secs_f64() / iters as f64;
    }
    let allocs = (ALLOCS.load(Relaxed) - a0) as f64 / (REPS as u64 * iters) as f64;
    ts.sort_by(f64::total_cmp);
    (ts[REPS / 2], allocs)
}

/// C = A·B (+ C if `beta == 1`), m × k times k × n, in matrixmultiply's stride notation.
#[derive(Clone, Copy)]
struct Gemm {
    m: usize,
    k: usize,
    n: usize,
    a: (isize, isize),
    b: (isize, isize),
    c: (isize, isize),
    beta: f32,
}

impl Gemm {
    /// Panics unless every strided element lies inside its slice (the crates take raw pointers).
    fn check(&self, a: &[f32], b: &[f32], c: &[f32]) {
        let end =
            |(rs, cs): (isize, isize), r: usize, c: usize| (r - 1) * rs as usize + (c - 1) * cs as usize;
        assert!(end(self.a, self.m, self.k) < a.len() && end(self.b, self.k, self.n) < b.len());
        assert!(end(self.c, self.m, self.n) < c.len());
    }
    fn flops(&self) -> f64 {
        2.0 * (self.m * self.k * self.n) as f64
    }
}

fn run_matrixmultiply(g: &Gemm, a: &[f32], b: &[f32], c: &mut [f32]) {
    g.check(a, b, c);
    let (ap, bp, cp) = (a.as_ptr(), b.as_ptr(), c.as_mut_ptr());
    // SAFETY: `check` keeps every access inside the slices.
    unsafe {
        matrixmultiply::sgemm(
            g.m, g.k, g.n, 1.0, ap, g.a.0, g.a.1, bp, g.b.0, g.b.1, g.beta, cp, g.c.0, g.c.1,
        )
    }
}

fn run_gemm(g: &Gemm, a: &[f32], b: &[f32], c: &mut [f32]) {
    g.check(a, b, c);
    let (ap, bp, cp) = (a.as_ptr(), b.as_ptr(), c.as_mut_ptr());
    // gemm: dst := alpha·dst + beta·lhs·rhs (dst read only if `read_dst`),
    // strides given column first. SAFETY: `check` keeps every access inside the slices.
    let ((a_rs, a_cs), (b_rs, b_cs), (c_rs, c_cs), par) = (g.a, g.b, g.c, gemm::Parallelism::None);
    let read = g.beta != 0.0;
    unsafe {
        gemm::gemm(
            g.m, g.n, g.k, cp, c_cs, c_rs, read, ap, a_cs, a_rs, bp, b_cs, b_rs, 1.0, 1.0, false, false,
            false, par,
        )
    }
}

type GemmFn = fn(&Gemm, &[f32], &[f32], &mut [f32]);
const CRATES: [(&str, GemmFn); 2] = [("matrixmultiply", run_matrixmultiply), ("gemm", run_gemm)];

/// Aborts unless `got` is within 1e-4 of Σ|a·b| (plus the initial value) of the f64 reference.
fn verify(what: &str, got: &[f32], reference: &[(f64, f64)]) {
    assert_eq!(got.len(), reference.len());
    for (i, (&g, &(r, scale))) in got.iter().zip(reference).enumerate() {
        if (g as f64 - r).abs() > 1e-4 * scale || !g.is_finite() {
            eprintln!("WRONG RESULT: {what}: element {i} is {g}, reference {r} (scale {scale})");
            std::process::exit(1);
        }
    }
}

/// The f64 sum of `init` and `terms`, and the sum of their magnitudes.
fn sum_abs(init: f32, terms: impl Iterator<Item = f64>) -> (f64, f64) {
    terms.fold((init as f64, init.abs() as f64), |(s, a), t| (s + t, a + t.abs()))
}

/// Reproducible values in [-1, 1).
fn fill(n: usize, seed: &mut u64) -> Vec<f32> {
    (0..n)
        .map(|_| {
            *seed ^= *seed << 13;
            *seed ^= *seed >> 7;
            *seed ^= *seed << 17;
            (*seed >> 40) as f32 / (1u64 << 23) as f32 - 1.0
        })
        .collect()
}

struct Row {
    shape: String,
    op: &'static str,
    imp: String,
    gflops: f64,
    allocs: f64,
}

fn report(rows: &mut Vec<Row>, key: (&str, &'static str, &str), flops: f64, (t, allocs): (f64, f64)) {
    let (shape, op, imp) = key;
    let gflops = flops / t / 1e9;
    println!("shape={shape} op={op} impl={imp} gflops={gflops:.2} allocs_per_call={allocs:.2}");
    rows.push(Row { shape: shape.into(), op, imp: imp.into(), gflops, allocs });
}

fn bench_shape(rows: &mut Vec<Row>, paths: &[KernelPath], ins: usize, outs: usize, n: usize, seed: &mut u64) {
    let shape = format!("{ins}x{outs}x{n}");
    let [w, b, x, dy, dw0, db0] =
        [outs * ins, outs, n * ins, n * outs, outs * ins, outs].map(|len| fill(len, seed));
    // f64 references in constnet's conventions, written independently of the GEMM mappings.
    let (mut y_ref, mut dw_ref, mut db_ref, mut dx_ref) = (vec![], vec![], vec![], vec![]);
    for s in 0..n {
        for o in 0..outs {
            y_ref.push(sum_abs(b[o], (0..ins).map(|i| w[o * ins + i] as f64 * x[s * ins + i] as f64)));
        }
    }
    for o in 0..outs {
        for i in 0..ins {
            dw_ref.push(sum_abs(
                dw0[o * ins + i],
                (0..n).map(|s| dy[s * outs + o] as f64 * x[s * ins + i] as f64),
            ));
        }
        db_ref.push(sum_abs(db0[o], (0..n).map(|s| dy[s * outs + o] as f64)));
    }
    for s in 0..n {
        for i in 0..ins {
            dx_ref.push(sum_abs(0.0, (0..outs).map(|o| dy[s * outs + o] as f64 * w[o * ins + i] as f64)));
        }
    }

    let (outs_i, ins_i) = (outs as isize, ins as isize);
    let fwd = Gemm { m: n, k: ins, n: outs, a: (ins_i, 1), b: (1, ins_i), c: (outs_i, 1), beta: 1.0 };
    let dwg = Gemm { m: outs, k: n, n: ins, a: (1, outs_i), b: (ins_i, 1), c: (ins_i, 1), beta: 1.0 };
    let dxg = Gemm { m: n, k: outs, n: ins, a: (outs_i, 1), b: (ins_i, 1), c: (ins_i, 1), beta: 0.0 };
    let (mut y, mut dw, mut db, mut dx) =
        (vec![0.0; n * outs], dw0.clone(), db0.clone(), vec![f32::NAN; n * ins]);

    // Forward: the crates start from y = bias, then y += x·wᵀ.
    for (name, run) in CRATES {
        let call = |y: &mut [f32]| {
            y.chunks_exact_mut(outs).for_each(|r| r.copy_from_slice(&b));
            run(&fwd, &x, &w, y);
        };
        call(&mut y);
        verify(&format!("{shape} forward {name}"), &y, &y_ref);
        report(rows, (&shape, "forward", name), fwd.flops(), measure(|| call(black_box(&mut y))));
    }
    for &p in paths {
        let ran = math::dense_forward_on(p, &w, &b, &x, &mut y, ins, outs);
        assert_eq!(ran, p, "{shape}: forward asked for {p:?}");
        verify(&format!("{shape} forward {p:?}"), &y, &y_ref);
        let t = measure(|| _ = math::dense_forward_on(p, &w, &b, &x, black_box(&mut y), ins, outs));
        report(rows, (&shape, "forward", &format!("{p:?}")), fwd.flops(), t);
    }
    if n == 1000 {
        return; // inference only
    }

    // Backward. Crates: dW += dyᵀ·x and dx = dy·w, timed apart and added up (no db).
    for (name, run) in CRATES {
        dw.copy_from_slice(&dw0);
        run(&dwg, &dy, &x, &mut dw);
        verify(&format!("{shape} dW {name}"), &dw, &dw_ref);
        run(&dxg, &dy, &w, &mut dx);
        verify(&format!("{shape} dx {name}"), &dx, &dx_ref);
        let tw = measure(|| run(&dwg, &dy, &x, black_box(&mut dw)));
        let tx = measure(|| run(&dxg, &dy, &w, black_box(&mut dx)));
        report(rows, (&shape, "dW", name), dwg.flops(), tw);
        report(rows, (&shape, "dx", name), dxg.flops(), tx);
        report(rows, (&shape, "dW+dx", name), dwg.flops() + dxg.flops(), (tw.0 + tx.0, tw.1 + tx.1));
    }
    // constnet: dW and db (dx = None), then dW, db and dx in one call; dx is the difference.
    for &p in paths {
        let name = format!("{p:?}");
        let back = |dw: &mut [f32], db: &mut [f32], dx: Option<&mut [f32]>| {
            math::dense_backward_on(p, &w, &x, &dy, dw, db, dx, ins, outs)
        };
        for with_dx in [false, true] {
            dw.copy_from_slice(&dw0);
            db.copy_from_slice(&db0);
            dx.fill(f32::NAN);
            let ran = back(&mut dw, &mut db, with_dx.then_some(&mut dx[..]));
            assert_eq!(ran, p, "{shape}: backward asked for {p:?}");
            verify(&format!("{shape} dW {name}"), &dw, &dw_ref);
            verify(&format!("{shape} db {name}"), &db, &db_ref);
            if with_dx {
                verify(&format!("{shape} dx {name}"), &dx, &dx_ref);
            }
        }
        let tw = measure(|| _ = back(black_box(&mut dw), &mut db, None));
        let twx = measure(|| _ = back(black_box(&mut dw), &mut db, Some(&mut dx[..])));
        report(rows, (&shape, "dW", &name), dwg.flops(), tw);
        if twx.0 > tw.0 {
            report(rows, (&shape, "dx", &name), dxg.flops(), (twx.0 - tw.0, twx.1 - tw.1));
        }
        report(rows, (&shape, "dW+dx", &name), dwg.flops() + dxg.flops(), twx);
    }
}

fn main() {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|l| l.trim_start_matches([' ', '\t', ':']));
    println!("cpu: {}", cpu.unwrap_or("unknown"));
    println!("detected: {:?}, detected_fused: {:?}", KernelPath::detected(), KernelPath::detected_fused());
    let paths: Vec<KernelPath> = KernelPath::ALL.into_iter().filter(|p| p.is_available()).collect();
    println!("constnet paths: {paths:?}; one thread; median of {REPS} loops of >= {MIN_LOOP:?}");
    println!("constnet op=dx is derived: its dW+dx time minus its dW-only time\n");

    // ins × outs × rows, as in BENCHMARKS.md; rows = 1000 is inference only.
    let shapes = [(784, 128, 1), (784, 128, 32), (784, 128, 128), (784, 128, 1000), (128, 10, 32)];
    let shapes = shapes.into_iter().chain([(128, 10, 128), (128, 10, 1000), (784, 50, 200), (50, 10, 200)]);
    let (mut rows, mut seed) = (Vec::new(), 0x9e37_79b9_7f4a_7c15u64);
    for (ins, outs, n) in shapes {
        bench_shape(&mut rows, &paths, ins, outs, n, &mut seed);
    }

    // Table: GFLOP/s per (shape, op), implementations across, then the crates' allocations per call.
    let mut imps: Vec<String> = CRATES.iter().map(|c| c.0.to_string()).collect();
    imps.extend(paths.iter().map(|p| format!("{p:?}")));
    let short = |s: &str| if s == "matrixmultiply" { "mmul".to_string() } else { s.to_string() };
    print!("\n{:<14} {:<6}", "shape", "op");
    imps.iter().for_each(|i| print!(" {:>9}", short(i)));
    println!("  {:<10} allocs/call (mmul, gemm)", "fastest");
    let mut keys: Vec<(&str, &str)> = Vec::new();
    for k in rows.iter().map(|r| (r.shape.as_str(), r.op)) {
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    for (shape, op) in keys {
        let find = |imp: &str| rows.iter().find(|r| r.shape == shape && r.op == op && r.imp == imp);
        print!("{shape:<14} {op:<6}");
        imps.iter().for_each(|i| match find(i) {
            Some(r) => print!(" {:>9.2}", r.gflops),
            None => print!(" {:>9}", "-"),
        });
        let best = rows
            .iter()
            .filter(|r| r.shape == shape && r.op == op)
            .max_by(|a, b| a.gflops.total_cmp(&b.gflops));
        let allocs = |i: &str| find(i).map_or("-".into(), |r| format!("{:.2}", r.allocs));
        println!("  {:<10} {}, {}", short(&best.unwrap().imp), allocs(&imps[0]), allocs(&imps[1]));
    }
    println!(
        "\nGFLOP/s = 2·m·n·k / median time. constnet's dx = its (dW+dx) minus its dW time. constnet's dW also sums db."
    );
}
