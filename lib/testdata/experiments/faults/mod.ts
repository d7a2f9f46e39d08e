/**
 * Faults for the harness's isolation tests: methods that run out of memory, exit, crash in native code, or hang
 * with OpenBLAS threads busy. Each must be recorded with its cause while the sweep goes on.
 */
import { defineExperiment } from "../../../experiment.ts";
import { onePoint } from "../one_point.ts";

const OPENBLAS = "/usr/lib/x86_64-linux-gnu/libopenblas.so.0";

function openblas() {
  return Deno.dlopen(Deno.env.get("REPRO_OPENBLAS_PATH") ?? OPENBLAS, {
    cblas_dcopy: { parameters: ["i32", "buffer", "i32", "buffer", "i32"], result: "void" },
    cblas_dgemm: {
      parameters: [
        "i32",
        "i32",
        "i32",
        "i32",
        "i32",
        "i32",
        "f64",
        "buffer",
        "i32",
        "buffer",
        "i32",
        "f64",
        "buffer",
        "i32",
      ],
      result: "void",
    },
    openblas_set_num_threads: { parameters: ["i32"], result: "void" },
  }).symbols;
}

export default defineExperiment({
  id: "faults",
  ...onePoint("Faults"),
  summary: "Methods that fail in every way a run process can.",
  methods: {
    ok: { run: () => 1 },
    exits: {
      run: () => {
        Deno.exit(3);
      },
    },
    oom: {
      run: () => {
        const hoard: number[][] = [];
        while (true) hoard.push(new Array(1e6).fill(1.5));
      },
    },
    segfault: {
      run: () => {
        // Copy 2^30 doubles out of an 8-element buffer: reads far past its end.
        const tiny = new Float64Array(8);
        openblas().cblas_dcopy(1 << 30, tiny, 1, new Float64Array(8), -1);
        return 0;
      },
    },
    native_hang: {
      run: () => {
        const blas = openblas();
        blas.openblas_set_num_threads(4);
        const n = 600, a = new Float64Array(n * n).fill(1), c = new Float64Array(n * n);
        while (true) blas.cblas_dgemm(101, 111, 111, n, n, n, 1, a, n, a, n, 0, c, n);
      },
    },
  },
  metrics: { value: { direction: "none" } },
  measure: (_d, out: number) => ({ value: out }),
  claims: [{
    id: "ok-runs",
    kind: "paper",
    statement: "The well-behaved method still runs after the faulty ones.",
    check: (r) => ({ measured: String(r.mean({ metric: "value", method: "ok" })), pass: true }),
  }],
});
