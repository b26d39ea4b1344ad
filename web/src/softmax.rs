//! Chapter 4's widget: logits and a temperature the reader sets, turned into probabilities by the
//! library's own [`probabilities`] (`softmax(logits / T)`, with the limit as `T → 0` where the
//! division overflows), and the entropy of the result.

use crate::temperature;
use microgpt::math;
use microgpt::sample::probabilities;
use wasm_bindgen::prelude::wasm_bindgen;

/// The distribution of some logits at a temperature.
#[wasm_bindgen]
pub struct Softmax {
    probabilities: Vec<f64>,
}

#[wasm_bindgen]
impl Softmax {
    /// `softmax(logits / T)` for `logits` written as numbers separated by spaces and the
    /// temperature as its field writes it.
    #[wasm_bindgen(constructor)]
    pub fn new(logits: &str, temperature_text: &str) -> Result<Softmax, String> {
        let logits = logits
            .split_whitespace()
            .map(|text| match crate::number("logit", text)? {
                logit if logit.is_finite() => Ok(logit),
                logit => Err(format!("invalid logit {logit}: it must be a finite number")),
            })
            .collect::<Result<Vec<f64>, String>>()?;
        if logits.is_empty() {
            return Err("no logits: a softmax needs at least one".to_string());
        }
        Ok(Softmax { probabilities: probabilities(&logits, temperature(temperature_text)?) })
    }

    /// The probabilities, one per logit, in the logits' order.
    pub fn probabilities(&self) -> Vec<f64> {
        self.probabilities.clone()
    }

    /// The entropy `−Σ pᵢ ln pᵢ` in nats (a probability of 0 adds nothing): 0 when one token is
    /// certain, `ln n` when all `n` are equally likely.
    pub fn entropy(&self) -> f64 {
        -self.probabilities.iter().filter(|&&p| p > 0.0).map(|&p| p * math::ln(p)).sum::<f64>()
    }

    /// The largest entropy `n` tokens can have, `ln n`: that of the uniform distribution.
    #[wasm_bindgen(js_name = maxEntropy)]
    pub fn max_entropy(&self) -> f64 {
        math::ln(self.probabilities.len() as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_temperature_1_it_is_the_softmax_of_chapter_4() {
        let softmax = Softmax::new("2 1 0 -1", "1").unwrap();
        assert_eq!(softmax.probabilities(), math::softmax(&[2.0, 1.0, 0.0, -1.0]));
    }

    #[test]
    fn the_entropy_runs_from_0_as_t_goes_to_0_to_ln_n_as_t_grows() {
        let cold = Softmax::new("1 2 3 4", "0.001").unwrap();
        assert_eq!((cold.probabilities(), cold.entropy()), (vec![0.0, 0.0, 0.0, 1.0], 0.0));
        let hot = Softmax::new("1 2 3 4", "1000").unwrap();
        assert!(hot.max_entropy() - hot.entropy() < 1e-5);
        assert_eq!(hot.max_entropy(), math::ln(4.0));
        let overflowing = Softmax::new("1 2 3 4", "1e-310").unwrap(); // 4 / T overflows
        assert_eq!(overflowing.probabilities(), [0.0, 0.0, 0.0, 1.0]);
    }

    #[test]
    fn bad_fields_are_named() {
        let error = |logits, t| Softmax::new(logits, t).err().unwrap();
        assert_eq!(error("1 two", "1"), "invalid logit \"two\": it is not a number");
        assert_eq!(error("", "1"), "no logits: a softmax needs at least one");
        assert_eq!(error("1 NaN", "1"), "invalid logit NaN: it must be a finite number");
        assert_eq!(error("1 2", "0"), "invalid temperature 0: it must be a finite number greater than 0");
    }
}
