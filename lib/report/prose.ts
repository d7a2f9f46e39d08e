/**
 * Module prose (summaries, method descriptions, deviations, claim statements) is written with light TeX:
 * `A^{1/2}`, `H^{-1}`, `x_{i}`, `\alpha`. Pages show it as HTML (superscripts, subscripts, Greek letters)
 * instead of raw TeX; everything else is escaped.
 */

const SYMBOLS: Record<string, string> = {
  alpha: "α",
  beta: "β",
  gamma: "γ",
  delta: "δ",
  epsilon: "ε",
  varepsilon: "ε",
  zeta: "ζ",
  eta: "η",
  theta: "θ",
  kappa: "κ",
  lambda: "λ",
  mu: "μ",
  nu: "ν",
  xi: "ξ",
  pi: "π",
  rho: "ρ",
  sigma: "σ",
  tau: "τ",
  phi: "φ",
  chi: "χ",
  psi: "ψ",
  omega: "ω",
  Gamma: "Γ",
  Delta: "Δ",
  Theta: "Θ",
  Lambda: "Λ",
  Sigma: "Σ",
  Phi: "Φ",
  Omega: "Ω",
  ell: "ℓ",
  infty: "∞",
  sqrt: "√",
  sum: "∑",
  top: "ᵀ",
  le: "≤",
  leq: "≤",
  ge: "≥",
  geq: "≥",
  approx: "≈",
  times: "×",
  cdot: "·",
  otimes: "⊗",
  in: "∈",
  to: "→",
  nabla: "∇",
  partial: "∂",
  ne: "≠",
  neq: "≠",
};

import { esc } from "./explore/html.js";
export { esc };

/** Escaped HTML with light TeX rendered: `^{…}`/`_{…}` (and one-character `^2`, `_i`) and `\name` symbols. */
export function prose(text: unknown): string {
  let s = esc(text);
  s = s.replace(/\\([A-Za-z]+)/g, (m, name: string) => SYMBOLS[name] ?? m);
  // Braced scripts may nest one level (F^{1/2^t}).
  for (let i = 0; i < 2; i++) {
    s = s.replace(/\^\{([^{}]*)\}/g, "<sup>$1</sup>").replace(/_\{([^{}]*)\}/g, "<sub>$1</sub>");
  }
  // A single character after ^ or _ that follows a letter, digit or bracket (x^2, w_i), not snake_case words.
  s = s.replace(/([A-Za-z0-9)\]])\^([A-Za-z0-9*+\-−])(?![A-Za-z0-9])/g, "$1<sup>$2</sup>");
  s = s.replace(/([A-Za-z)\]])_([A-Za-z0-9])(?![A-Za-z0-9_])/g, "$1<sub>$2</sub>");
  return s;
}
