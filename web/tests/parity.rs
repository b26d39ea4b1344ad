//! The committed WebAssembly module computes what the native crate computes, bit for bit.
//!
//! These tests load `chapters/live/microgpt_web_bg.wasm`, the very file the book's pages load, into
//! wasmi (a WebAssembly interpreter written in Rust) and call it as the widgets' JavaScript does:
//! through the functions wasm-bindgen exports, with strings and arrays in the module's memory. No
//! browser and no wasm toolchain are needed. The native side is the library, called as
//! `microgpt run` calls it, so a change to the crate's numbers that was not followed by
//! `web/build.sh` fails here.
//!
//! The calling convention is wasm-bindgen's (pinned in Cargo.toml): a `&str` argument is a pointer
//! and a length in the module's memory, allocated with `__wbindgen_malloc`; a returned `Vec<f64>` or
//! `String` is a pointer and a length, released with `__wbindgen_free`; a `Result` ends with an error
//! slot and an error flag, and the error's text reaches JavaScript through an import that turns a
//! Rust string into a JavaScript value, which here records it.

use microgpt::data::builtin_docs;
use microgpt::fused::FusedEngine;
use microgpt::model::{Config, Gpt};
use microgpt::optim::{AdamConfig, LearningRate};
use microgpt::rng::ChaCha;
use microgpt::sample::{Temperature, sample};
use microgpt::train::{TrainOptions, prepare, train};
use wasmi::{Caller, Engine, Extern, ExternType, Instance, Linker, Memory, Module, Store, Val, ValType};

const MODULE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../chapters/live/microgpt_web_bg.wasm");

/// What the module's imports saw.
#[derive(Default)]
struct Host {
    /// The text of the last Rust string turned into a JavaScript value: an error on its way out.
    string: Option<String>,
}

/// The module, instantiated as a page instantiates it, with the imports a page would give it.
struct Page {
    store: Store<Host>,
    instance: Instance,
    memory: Memory,
}

/// A pointer or a length, as the module passes them.
type Word = u32;

fn text_in(caller: &Caller<'_, Host>, ptr: &Val, len: &Val) -> String {
    let memory =
        caller.get_export("memory").and_then(Extern::into_memory).expect("the module exports its memory");
    let (ptr, len) = (word(ptr) as usize, word(len) as usize);
    String::from_utf8(memory.data(caller)[ptr..ptr + len].to_vec()).expect("the module passes UTF-8")
}

fn word(val: &Val) -> Word {
    match val {
        Val::I32(v) => *v as Word,
        other => panic!("expected an i32, found {other:?}"),
    }
}

impl Page {
    fn load() -> Page {
        let engine = Engine::default();
        let bytes = std::fs::read(MODULE).unwrap_or_else(|e| panic!("{MODULE}: {e}: run web/build.sh"));
        let module = Module::new(&engine, &bytes).expect("the committed module is valid WebAssembly");
        let mut linker = <Linker<Host>>::new(&engine);
        for import in module.imports() {
            let ExternType::Func(ty) = import.ty() else { panic!("unexpected import {}", import.name()) };
            let name = import.name().to_string();
            let stub = match (ty.params(), ty.results()) {
                // The table of JavaScript values: nothing to set up without JavaScript.
                _ if name == "__wbindgen_init_externref_table" => {
                    linker.func_new(import.module(), import.name(), ty.clone(), |_, _, _| Ok(()))
                }
                // A panic's message, which wasm-bindgen throws as a JavaScript error.
                _ if name.starts_with("__wbg___wbindgen_throw") => {
                    linker.func_new(import.module(), import.name(), ty.clone(), |caller, params, _| {
                        Err(wasmi::Error::new(text_in(&caller, &params[0], &params[1])))
                    })
                }
                // A Rust string becoming a JavaScript value: keep its text, return a null reference.
                ([ValType::I32, ValType::I32], [ValType::ExternRef]) => linker.func_new(
                    import.module(),
                    import.name(),
                    ty.clone(),
                    |mut caller, params, results| {
                        let text = text_in(&caller, &params[0], &params[1]);
                        caller.data_mut().string = Some(text);
                        results[0] = Val::default_for_ty(ValType::ExternRef);
                        Ok(())
                    },
                ),
                _ => linker.func_new(import.module(), import.name(), ty.clone(), move |_, _, _| {
                    Err(wasmi::Error::new(format!("the module called {name}, which needs JavaScript")))
                }),
            };
            stub.expect("each import is defined once");
        }
        let mut store = Store::new(&engine, Host::default());
        let instance = linker.instantiate_and_start(&mut store, &module).expect("the module instantiates");
        let memory = instance.get_memory(&store, "memory").expect("the module exports its memory");
        let mut page = Page { store, instance, memory };
        page.call("__wbindgen_start", &[]);
        page
    }

    /// Calls the export `name`, whose results are all pointers, lengths or flags.
    fn call(&mut self, name: &str, args: &[Word]) -> Vec<Word> {
        let Some(func) = self.instance.get_func(&self.store, name) else {
            // `__wbindgen_start` exists only in some builds.
            assert_eq!(name, "__wbindgen_start", "the module has no export {name}");
            return Vec::new();
        };
        let args: Vec<Val> = args.iter().map(|&a| Val::I32(a as i32)).collect();
        let mut results: Vec<Val> =
            func.ty(&self.store).results().iter().map(|&ty| Val::default_for_ty(ty)).collect();
        func.call(&mut self.store, &args, &mut results).unwrap_or_else(|e| panic!("{name} trapped: {e}"));
        results.iter().map(word).collect()
    }

    /// Calls an export that returns one `f64`.
    fn call_f64(&mut self, name: &str, args: &[Word]) -> f64 {
        let func = self
            .instance
            .get_func(&self.store, name)
            .unwrap_or_else(|| panic!("the module has no export {name}"));
        let args: Vec<Val> = args.iter().map(|&a| Val::I32(a as i32)).collect();
        let mut results = [Val::F64(0.0.into())];
        func.call(&mut self.store, &args, &mut results).unwrap_or_else(|e| panic!("{name} trapped: {e}"));
        match results[0] {
            Val::F64(value) => value.into(),
            ref other => panic!("{name} returned {other:?}, not an f64"),
        }
    }

    /// Calls an export that returns a `Vec<f64>`, and reads it.
    fn call_f64s(&mut self, name: &str, args: &[Word]) -> Vec<f64> {
        let out = self.call(name, args);
        self.f64s_out(&out)
    }

    /// Calls an export that returns a `Result`: its value, or the error's text.
    fn call_fallible(&mut self, name: &str, args: &[Word]) -> Result<Vec<Word>, String> {
        let mut results = self.call(name, args);
        let (is_err, _error) = (results.pop(), results.pop());
        match is_err {
            Some(0) => Ok(results),
            _ => Err(self.store.data_mut().string.take().expect("an error passes its text out")),
        }
    }

    /// Copies `text` into the module's memory, as a `&str` argument: its pointer and length.
    fn str_arg(&mut self, text: &str) -> [Word; 2] {
        let len = text.len() as Word;
        let ptr = self.call("__wbindgen_malloc", &[len, 1])[0];
        self.memory.write(&mut self.store, ptr as usize, text.as_bytes()).expect("malloc gave memory");
        [ptr, len]
    }

    /// An `Option<String>` argument that is `None`.
    const NONE: [Word; 2] = [0, 0];

    /// Copies `values` into the module's memory, as a `Vec<f64>` argument.
    fn f64s_arg(&mut self, values: &[f64]) -> [Word; 2] {
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        let ptr = self.call("__wbindgen_malloc", &[bytes.len() as Word, 8])[0];
        self.memory.write(&mut self.store, ptr as usize, &bytes).expect("malloc gave memory");
        [ptr, values.len() as Word]
    }

    /// Reads and releases a returned `Vec<f64>`.
    fn f64s_out(&mut self, ptr_len: &[Word]) -> Vec<f64> {
        let (ptr, len) = (ptr_len[0], ptr_len[1]);
        let mut bytes = vec![0; 8 * len as usize];
        self.memory.read(&self.store, ptr as usize, &mut bytes).expect("the vector is in memory");
        self.call("__wbindgen_free", &[ptr, 8 * len, 8]);
        bytes.chunks_exact(8).map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes"))).collect()
    }

    /// Reads and releases a returned `String`.
    fn string_out(&mut self, ptr_len: &[Word]) -> String {
        let (ptr, len) = (ptr_len[0], ptr_len[1]);
        let mut bytes = vec![0; len as usize];
        self.memory.read(&self.store, ptr as usize, &mut bytes).expect("the string is in memory");
        self.call("__wbindgen_free", &[ptr, len, 1]);
        String::from_utf8(bytes).expect("the module returns UTF-8")
    }

    /// Calls a constructor or a method whose arguments are all text, after `first` (a handle, if
    /// any): the handle it returns, or its error.
    fn call_with_texts(&mut self, name: &str, first: &[Word], texts: &[&str]) -> Result<Word, String> {
        let mut args = first.to_vec();
        for text in texts {
            args.extend(self.str_arg(text));
        }
        Ok(self.call_fallible(name, &args)?[0])
    }

    /// `new Run(words, seed, steps, lr)`, on the built-in names: the run's handle, or the error.
    fn new_run(&mut self, seed: &str, steps: &str, lr: &str) -> Result<Word, String> {
        let mut args = Self::NONE.to_vec();
        for text in [seed, steps, lr] {
            args.extend(self.str_arg(text));
        }
        Ok(self.call_fallible("run_new", &args)?[0])
    }

    /// `run.train(chunk)` until the run is done, as the widget calls it: every step's loss.
    fn train_all(&mut self, run: Word, chunk: Word) -> Result<Vec<f64>, String> {
        let mut losses = Vec::new();
        loop {
            let out = self.call_fallible("run_train", &[run, chunk])?;
            let losses_of_chunk = self.f64s_out(&out);
            if losses_of_chunk.is_empty() {
                return Ok(losses);
            }
            losses.extend(losses_of_chunk);
        }
    }

    /// `sampler.sample(temperature, count)`: the names, one per line.
    fn sample(&mut self, sampler: Word, temperature: &str, count: &str) -> Result<String, String> {
        let [t, t_len] = self.str_arg(temperature);
        let [c, c_len] = self.str_arg(count);
        let out = self.call_fallible("sampler_sample", &[sampler, t, t_len, c, c_len])?;
        Ok(self.string_out(&out))
    }
}

/// The reference run natively, as `microgpt run` does it: every step's loss, the 20 names, and the
/// trained model.
fn native_reference_run() -> (Vec<f64>, Vec<String>, Gpt) {
    let mut rng = ChaCha::seed(42);
    let mut run = prepare(builtin_docs(), &mut rng, Config::reference).unwrap();
    let learning_rate = LearningRate::new(0.01).unwrap();
    let options = TrainOptions { steps: 1000, adam: AdamConfig::default().with_learning_rate(learning_rate) };
    let mut engine = FusedEngine::new();
    let mut losses = Vec::new();
    train(&mut run.model, &mut engine, &run.docs, &options, |r| losses.push(r.loss)).unwrap();
    let t = Temperature::new(0.5).unwrap();
    let names = (0..20)
        .map(|_| run.tokenizer.decode(&sample(&run.model, &mut engine, t, &mut rng).unwrap()))
        .collect();
    (losses, names, run.model)
}

/// Fails, naming the first difference, unless the module's numbers are the native crate's, bit for
/// bit.
fn assert_same_bits(what: &str, module: &[f64], native: &[f64]) {
    let first_difference = module.iter().zip(native).position(|(m, n)| m.to_bits() != n.to_bits());
    if let Some(i) = first_difference {
        panic!(
            "{what} {i}: the committed module computes {:?}, the native crate {:?}. If the crate's \
             numbers changed on purpose, rebuild the module with web/build.sh",
            module[i], native[i]
        );
    }
    assert_eq!(
        module.len(),
        native.len(),
        "{what}s: the module has {}, the native crate {}",
        module.len(),
        native.len()
    );
}

#[test]
fn the_committed_module_trains_and_samples_the_reference_run_to_the_native_bits() {
    let (native_losses, native_names, native_model) = native_reference_run();

    let mut page = Page::load();
    let run = page.new_run("42", "1000", "0.01").unwrap();
    let losses = page.train_all(run, 25).unwrap();
    let sampler = page.call("run_sampler", &[run])[0];
    let names = page.sample(sampler, "0.5", "20").unwrap();
    let out = page.call("run_finalLoss", &[run]);
    let final_loss = page.string_out(&out);
    let out = page.call("run_meanOfLast", &[run]);
    let mean = page.string_out(&out);
    // The model rebuilt from its weights, as chapter 10's page rebuilds it.
    let out = page.call("run_weights", &[run]);
    let weights = page.f64s_out(&out);
    let mut args = Page::NONE.to_vec();
    args.extend(page.str_arg("42"));
    args.extend(page.f64s_arg(&weights));
    let rebuilt = page.call_fallible("sampler_new", &args).unwrap()[0];
    let rebuilt_names = page.sample(rebuilt, "0.5", "20").unwrap();

    let identical = losses.iter().zip(&native_losses).filter(|(a, b)| a.to_bits() == b.to_bits()).count();
    eprintln!("the module's reference run: {identical}/1000 losses bit-identical to the native crate's");
    assert_same_bits("loss of step index", &losses, &native_losses);
    assert_eq!(losses.len(), 1000);
    assert_eq!((final_loss.as_str(), mean.as_str()), ("1.7780", "mean of last 100 2.3597"));
    let native_names: String = native_names.iter().map(|name| format!("{name}\n")).collect();
    assert_eq!(names, native_names);
    assert_eq!(rebuilt_names, native_names);
    // Chapter 6: the reference model's attention weights while it reads "emma".
    let tokens = [26, 4, 12, 12, 0]; // BOS e m m a
    let native_maps = native_model.attention_maps(&tokens);
    let maps = page.call_with_texts("sampler_attention", &[sampler], &["emma"]).unwrap();
    for (head, rows) in native_maps[0].iter().enumerate() {
        for (query, row) in rows.iter().enumerate() {
            let weights = page.call_f64s("attentionmaps_weights", &[maps, 0, head as Word, query as Word]);
            assert_same_bits(&format!("head {head}, position {query}, weight"), &weights, row);
        }
    }
    assert_eq!(
        names.lines().collect::<Vec<_>>(),
        [
            "shalin", "coredi", "bran", "haha", "shalie", "menie", "shalie", "janynica", "merli", "artan",
            "alice", "anin", "malin", "maritun", "kelyn", "mande", "phande", "arian", "rarian", "nalien"
        ]
    );
}

#[test]
fn the_committed_module_gives_the_native_next_character_probabilities() {
    let mut native = microgpt_web::Run::new(None, "3", "40", "0.02").unwrap();
    native.train(40).unwrap();
    let expected = native.sampler().next_probabilities("mar", "0.7").unwrap();

    let mut page = Page::load();
    let run = page.new_run("3", "40", "0.02").unwrap();
    page.train_all(run, 40).unwrap();
    let sampler = page.call("run_sampler", &[run])[0];
    let [p, p_len] = page.str_arg("mar");
    let [t, t_len] = page.str_arg("0.7");
    let out = page.call_fallible("sampler_nextProbabilities", &[sampler, p, p_len, t, t_len]).unwrap();
    let probabilities = page.f64s_out(&out);

    assert_eq!(probabilities.len(), 27);
    assert_same_bits("probability of token", &probabilities, &expected);
}

#[test]
fn errors_leave_the_module_with_the_crates_own_messages() {
    let mut page = Page::load();
    assert_eq!(
        page.new_run("42", "1000", "0").unwrap_err(),
        "invalid learning rate 0: it must be a finite number greater than 0"
    );
    let run = page.new_run("42", "1000", "10").unwrap();
    assert_eq!(
        page.train_all(run, 25).unwrap_err(),
        "training diverged: the loss at step 2 is inf; try a lower learning rate than 10"
    );
    let sampler = page.call("run_sampler", &[run])[0];
    assert_eq!(
        page.sample(sampler, "-1", "5").unwrap_err(),
        "invalid temperature -1: it must be a finite number greater than 0"
    );
}

#[test]
fn the_committed_module_computes_the_explorations_to_the_native_bits() {
    use microgpt_web::bigram::Bigram;
    use microgpt_web::graph::ExpressionGraph;
    use microgpt_web::optimizers::OptimizerPaths;
    use microgpt_web::softmax::Softmax;
    let mut page = Page::load();

    // Chapter 2: the graph with a ReLU, at a point where it is alive.
    let mut args = Vec::new();
    for text in ["1.5", "-2", "6"] {
        args.extend(page.str_arg(text));
    }
    args.push(1); // relu: true
    let graph = page.call_fallible("expressiongraph_new", &args).unwrap()[0];
    let native = ExpressionGraph::new("1.5", "-2", "6", true).unwrap();
    for (getter, expected) in
        [("values", native.values()), ("gradients", native.gradients()), ("estimates", native.estimates())]
    {
        assert_same_bits(getter, &page.call_f64s(&format!("expressiongraph_{getter}"), &[graph]), &expected);
    }

    // Chapter 4: softmax([1, 2, 3, 4]) at T = 0.5, and its entropy.
    let softmax = page.call_with_texts("softmax_new", &[], &["1 2 3 4", "0.5"]).unwrap();
    let native = Softmax::new("1 2 3 4", "0.5").unwrap();
    assert_same_bits(
        "probability",
        &page.call_f64s("softmax_probabilities", &[softmax]),
        &native.probabilities(),
    );
    assert_eq!(page.call_f64("softmax_entropy", &[softmax]).to_bits(), native.entropy().to_bits());

    // Chapter 8: both paths of attn_wq[0][0], with and without the bias correction.
    let texts = ["layer0.attn_wq", "0", "0", "0.01", "0.85", "0.99"];
    for correction in [true, false] {
        let mut args = Vec::new();
        for text in texts {
            args.extend(page.str_arg(text));
        }
        args.push(Word::from(correction));
        args.extend(page.str_arg("0.3"));
        let paths = page.call_fallible("optimizerpaths_new", &args).unwrap()[0];
        let native =
            OptimizerPaths::new(texts[0], "0", "0", "0.01", "0.85", "0.99", correction, "0.3").unwrap();
        assert_same_bits("Adam, step", &page.call_f64s("optimizerpaths_adam", &[paths]), &native.adam());
        assert_same_bits(
            "gradient descent, step",
            &page.call_f64s("optimizerpaths_descent", &[paths]),
            &native.descent(),
        );
    }

    // Chapter 11: the letter pairs after "emm".
    let mut args = Page::NONE.to_vec();
    args.extend(page.str_arg("42"));
    args.extend(page.str_arg("1000"));
    let bigram = page.call_fallible("bigram_new", &args).unwrap()[0];
    let [p, p_len] = page.str_arg("emm");
    let out = page.call_fallible("bigram_nextProbabilities", &[bigram, p, p_len]).unwrap();
    let native = Bigram::new(None, "42", "1000").unwrap().next_probabilities("emm").unwrap();
    assert_same_bits("letter-pair probability", &page.f64s_out(&out), &native);
}
