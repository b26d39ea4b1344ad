/**
 * The attention weights of every layer and head over one input, and the input's tokens as labels.
 */
export class AttentionMaps {
    static __wrap(ptr) {
        const obj = Object.create(AttentionMaps.prototype);
        obj.__wbg_ptr = ptr;
        AttentionMapsFinalization.register(obj, obj.__wbg_ptr, obj);
        return obj;
    }
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        AttentionMapsFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_attentionmaps_free(ptr, 0);
    }
    /**
     * The number of heads in each layer.
     * @returns {number}
     */
    heads() {
        const ret = wasm.attentionmaps_heads(this.__wbg_ptr);
        return ret >>> 0;
    }
    /**
     * The tokens the model read, one per line: `BOS`, then the characters.
     * @returns {string}
     */
    labels() {
        let deferred1_0;
        let deferred1_1;
        try {
            const ret = wasm.attentionmaps_labels(this.__wbg_ptr);
            deferred1_0 = ret[0];
            deferred1_1 = ret[1];
            return getStringFromWasm0(ret[0], ret[1]);
        } finally {
            wasm.__wbindgen_free(deferred1_0, deferred1_1, 1);
        }
    }
    /**
     * The number of layers.
     * @returns {number}
     */
    layers() {
        const ret = wasm.attentionmaps_layers(this.__wbg_ptr);
        return ret >>> 0;
    }
    /**
     * The weights with which the token at position `query` looks at positions `0..=query`, in
     * `head` of `layer`: they sum to 1. Empty for a layer, head or position the maps do not have.
     * @param {number} layer
     * @param {number} head
     * @param {number} query
     * @returns {Float64Array}
     */
    weights(layer, head, query) {
        const ret = wasm.attentionmaps_weights(this.__wbg_ptr, layer, head, query);
        var v1 = getArrayF64FromWasm0(ret[0], ret[1]).slice();
        wasm.__wbindgen_free(ret[0], ret[1] * 8, 8);
        return v1;
    }
}
if (Symbol.dispose) AttentionMaps.prototype[Symbol.dispose] = AttentionMaps.prototype.free;

/**
 * The probability of each token given the one before it, counted in the documents a run trained on.
 */
export class Bigram {
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        BigramFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_bigram_free(ptr, 0);
    }
    /**
     * The pairs of the documents that `microgpt run --seed SEED --steps STEPS` trains on, in the
     * order it takes them, on the reader's `words` or (for `None`) the built-in names.
     * @param {string | null | undefined} words
     * @param {string} seed
     * @param {string} steps
     */
    constructor(words, seed, steps) {
        let ptr0, len0, ptr1, len1, ptr2, len2;
        try {
            ptr0 = isLikeNone(words) ? 0 : passStringToWasm0(words, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
            len0 = WASM_VECTOR_LEN;
            ptr1 = passStringToWasm0(seed, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
            len1 = WASM_VECTOR_LEN;
            ptr2 = passStringToWasm0(steps, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
            len2 = WASM_VECTOR_LEN;
        } catch (e) {
            if (ptr2) { wasm.__wbindgen_free(ptr2, len2 * 1, 1); }
            if (ptr1) { wasm.__wbindgen_free(ptr1, len1 * 1, 1); }
            if (ptr0) { wasm.__wbindgen_free(ptr0, len0 * 1, 1); }
            throw e;
        }
        const ret = wasm.bigram_new(ptr0, len0, ptr1, len1, ptr2, len2);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        this.__wbg_ptr = ret[0];
        BigramFinalization.register(this, this.__wbg_ptr, this);
        return this;
    }
    /**
     * The probability of every token (the characters, then BOS) after the last token of BOS and
     * `prefix`: the table's row for the last character, or for BOS if `prefix` is empty.
     * @param {string} prefix
     * @returns {Float64Array}
     */
    nextProbabilities(prefix) {
        const ptr0 = passStringToWasm0(prefix, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
        const len0 = WASM_VECTOR_LEN;
        const ret = wasm.bigram_nextProbabilities(this.__wbg_ptr, ptr0, len0);
        if (ret[3]) {
            throw takeFromExternrefTable0(ret[2]);
        }
        var v2 = getArrayF64FromWasm0(ret[0], ret[1]).slice();
        wasm.__wbindgen_free(ret[0], ret[1] * 8, 8);
        return v2;
    }
}
if (Symbol.dispose) Bigram.prototype[Symbol.dispose] = Bigram.prototype.free;

/**
 * `L = (a·b + c)·a`, or with a ReLU between `e` and `L`, recorded and differentiated.
 */
export class ExpressionGraph {
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        ExpressionGraphFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_expressiongraph_free(ptr, 0);
    }
    /**
     * The edges, three numbers each: the child's index, the node's index, and the local
     * derivative `∂node/∂child` recorded with the node.
     * @returns {Float64Array}
     */
    edges() {
        const ret = wasm.expressiongraph_edges(this.__wbg_ptr);
        var v1 = getArrayF64FromWasm0(ret[0], ret[1]).slice();
        wasm.__wbindgen_free(ret[0], ret[1] * 8, 8);
        return v1;
    }
    /**
     * The central-difference estimates of `∂L/∂a`, `∂L/∂b` and `∂L/∂c`, with a step of [`H`].
     * @returns {Float64Array}
     */
    estimates() {
        const ret = wasm.expressiongraph_estimates(this.__wbg_ptr);
        var v1 = getArrayF64FromWasm0(ret[0], ret[1]).slice();
        wasm.__wbindgen_free(ret[0], ret[1] * 8, 8);
        return v1;
    }
    /**
     * Every node's gradient `∂L/∂node`, from [`Tape::backward`].
     * @returns {Float64Array}
     */
    gradients() {
        const ret = wasm.expressiongraph_gradients(this.__wbg_ptr);
        var v1 = getArrayF64FromWasm0(ret[0], ret[1]).slice();
        wasm.__wbindgen_free(ret[0], ret[1] * 8, 8);
        return v1;
    }
    /**
     * The nodes' names, one per line, in the order they were recorded; the last is `L`.
     * @returns {string}
     */
    names() {
        let deferred1_0;
        let deferred1_1;
        try {
            const ret = wasm.expressiongraph_names(this.__wbg_ptr);
            deferred1_0 = ret[0];
            deferred1_1 = ret[1];
            return getStringFromWasm0(ret[0], ret[1]);
        } finally {
            wasm.__wbindgen_free(deferred1_0, deferred1_1, 1);
        }
    }
    /**
     * The graph for the inputs `a`, `b` and `c` as the page's fields write them; with `relu`,
     * `L = relu(a·b + c)·a`.
     * @param {string} a
     * @param {string} b
     * @param {string} c
     * @param {boolean} relu
     */
    constructor(a, b, c, relu) {
        const val4 = +relu;
        let ptr0, len0, ptr1, len1, ptr2, len2;
        try {
            ptr0 = passStringToWasm0(a, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
            len0 = WASM_VECTOR_LEN;
            ptr1 = passStringToWasm0(b, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
            len1 = WASM_VECTOR_LEN;
            ptr2 = passStringToWasm0(c, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
            len2 = WASM_VECTOR_LEN;
        } catch (e) {
            if (ptr2) { wasm.__wbindgen_free(ptr2, len2 * 1, 1); }
            if (ptr1) { wasm.__wbindgen_free(ptr1, len1 * 1, 1); }
            if (ptr0) { wasm.__wbindgen_free(ptr0, len0 * 1, 1); }
            throw e;
        }
        const ret = wasm.expressiongraph_new(ptr0, len0, ptr1, len1, ptr2, len2, val4);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        this.__wbg_ptr = ret[0];
        ExpressionGraphFinalization.register(this, this.__wbg_ptr, this);
        return this;
    }
    /**
     * Every node's value, computed when it was recorded.
     * @returns {Float64Array}
     */
    values() {
        const ret = wasm.expressiongraph_values(this.__wbg_ptr);
        var v1 = getArrayF64FromWasm0(ret[0], ret[1]).slice();
        wasm.__wbindgen_free(ret[0], ret[1] * 8, 8);
        return v1;
    }
}
if (Symbol.dispose) ExpressionGraph.prototype[Symbol.dispose] = ExpressionGraph.prototype.free;

/**
 * The value of one weight before the first step and after each of the first [`PATH_STEPS`] steps,
 * or of the steps before a run diverged.
 */
export class OptimizerPaths {
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        OptimizerPathsFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_optimizerpaths_free(ptr, 0);
    }
    /**
     * Adam's path: [`PATH_STEPS`] + 1 values, fewer if it diverged.
     * @returns {Float64Array}
     */
    adam() {
        const ret = wasm.optimizerpaths_adam(this.__wbg_ptr);
        var v1 = getArrayF64FromWasm0(ret[0], ret[1]).slice();
        wasm.__wbindgen_free(ret[0], ret[1] * 8, 8);
        return v1;
    }
    /**
     * Gradient descent's path: [`PATH_STEPS`] + 1 values, fewer if it diverged.
     * @returns {Float64Array}
     */
    descent() {
        const ret = wasm.optimizerpaths_descent(this.__wbg_ptr);
        var v1 = getArrayF64FromWasm0(ret[0], ret[1]).slice();
        wasm.__wbindgen_free(ret[0], ret[1] * 8, 8);
        return v1;
    }
    /**
     * Why a path stops early: the library's message for a loss that was not finite, or an empty
     * string if both paths have all their steps.
     * @returns {string}
     */
    diverged() {
        let deferred1_0;
        let deferred1_1;
        try {
            const ret = wasm.optimizerpaths_diverged(this.__wbg_ptr);
            deferred1_0 = ret[0];
            deferred1_1 = ret[1];
            return getStringFromWasm0(ret[0], ret[1]);
        } finally {
            wasm.__wbindgen_free(deferred1_0, deferred1_1, 1);
        }
    }
    /**
     * Both paths of the weight `matrix[row][col]`: the reference run's model and documents, in the
     * reference run's learning-rate schedule (a linear decay over its 1,000 steps).
     * @param {string} matrix
     * @param {string} row
     * @param {string} col
     * @param {string} adam_lr
     * @param {string} beta1
     * @param {string} beta2
     * @param {boolean} bias_correction
     * @param {string} descent_lr
     */
    constructor(matrix, row, col, adam_lr, beta1, beta2, bias_correction, descent_lr) {
        const val8 = +bias_correction;
        let ptr0, len0, ptr1, len1, ptr2, len2, ptr3, len3, ptr4, len4, ptr5, len5, ptr6, len6;
        try {
            ptr0 = passStringToWasm0(matrix, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
            len0 = WASM_VECTOR_LEN;
            ptr1 = passStringToWasm0(row, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
            len1 = WASM_VECTOR_LEN;
            ptr2 = passStringToWasm0(col, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
            len2 = WASM_VECTOR_LEN;
            ptr3 = passStringToWasm0(adam_lr, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
            len3 = WASM_VECTOR_LEN;
            ptr4 = passStringToWasm0(beta1, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
            len4 = WASM_VECTOR_LEN;
            ptr5 = passStringToWasm0(beta2, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
            len5 = WASM_VECTOR_LEN;
            ptr6 = passStringToWasm0(descent_lr, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
            len6 = WASM_VECTOR_LEN;
        } catch (e) {
            if (ptr6) { wasm.__wbindgen_free(ptr6, len6 * 1, 1); }
            if (ptr5) { wasm.__wbindgen_free(ptr5, len5 * 1, 1); }
            if (ptr4) { wasm.__wbindgen_free(ptr4, len4 * 1, 1); }
            if (ptr3) { wasm.__wbindgen_free(ptr3, len3 * 1, 1); }
            if (ptr2) { wasm.__wbindgen_free(ptr2, len2 * 1, 1); }
            if (ptr1) { wasm.__wbindgen_free(ptr1, len1 * 1, 1); }
            if (ptr0) { wasm.__wbindgen_free(ptr0, len0 * 1, 1); }
            throw e;
        }
        const ret = wasm.optimizerpaths_new(ptr0, len0, ptr1, len1, ptr2, len2, ptr3, len3, ptr4, len4, ptr5, len5, val8, ptr6, len6);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        this.__wbg_ptr = ret[0];
        OptimizerPathsFinalization.register(this, this.__wbg_ptr, this);
        return this;
    }
    /**
     * The number of steps a path has when its run does not diverge: [`PATH_STEPS`].
     * @returns {number}
     */
    steps() {
        const ret = wasm.optimizerpaths_steps(this.__wbg_ptr);
        return ret >>> 0;
    }
}
if (Symbol.dispose) OptimizerPaths.prototype[Symbol.dispose] = OptimizerPaths.prototype.free;

/**
 * A training run in progress: `microgpt run --seed S --steps N --lr LR`, on the built-in names or on
 * the reader's words, taken a chunk of steps at a time with the fused engine, as the command line
 * trains by default.
 */
export class Run {
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        RunFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_run_free(ptr, 0);
    }
    /**
     * The number of documents in the corpus.
     * @returns {number}
     */
    documents() {
        const ret = wasm.run_documents(this.__wbg_ptr);
        return ret >>> 0;
    }
    /**
     * The loss of the last step taken, with 4 decimals as `microgpt run` prints it, or an empty
     * string before the first step.
     * @returns {string}
     */
    finalLoss() {
        let deferred1_0;
        let deferred1_1;
        try {
            const ret = wasm.run_finalLoss(this.__wbg_ptr);
            deferred1_0 = ret[0];
            deferred1_1 = ret[1];
            return getStringFromWasm0(ret[0], ret[1]);
        } finally {
            wasm.__wbindgen_free(deferred1_0, deferred1_1, 1);
        }
    }
    /**
     * `mean of last 100 2.3597`, as `microgpt run` prints it after training, or an empty string
     * before the first step.
     * @returns {string}
     */
    meanOfLast() {
        let deferred1_0;
        let deferred1_1;
        try {
            const ret = wasm.run_meanOfLast(this.__wbg_ptr);
            deferred1_0 = ret[0];
            deferred1_1 = ret[1];
            return getStringFromWasm0(ret[0], ret[1]);
        } finally {
            wasm.__wbindgen_free(deferred1_0, deferred1_1, 1);
        }
    }
    /**
     * Prepares a run: shuffles the documents, builds the vocabulary and initialises the reference
     * model, in microgpt.py's order, from the seed. `words` is the text of the reader's corpus, one
     * document per line, or `None` for the built-in names.
     * @param {string | null | undefined} words
     * @param {string} seed
     * @param {string} steps
     * @param {string} lr
     */
    constructor(words, seed, steps, lr) {
        let ptr0, len0, ptr1, len1, ptr2, len2, ptr3, len3;
        try {
            ptr0 = isLikeNone(words) ? 0 : passStringToWasm0(words, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
            len0 = WASM_VECTOR_LEN;
            ptr1 = passStringToWasm0(seed, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
            len1 = WASM_VECTOR_LEN;
            ptr2 = passStringToWasm0(steps, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
            len2 = WASM_VECTOR_LEN;
            ptr3 = passStringToWasm0(lr, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
            len3 = WASM_VECTOR_LEN;
        } catch (e) {
            if (ptr3) { wasm.__wbindgen_free(ptr3, len3 * 1, 1); }
            if (ptr2) { wasm.__wbindgen_free(ptr2, len2 * 1, 1); }
            if (ptr1) { wasm.__wbindgen_free(ptr1, len1 * 1, 1); }
            if (ptr0) { wasm.__wbindgen_free(ptr0, len0 * 1, 1); }
            throw e;
        }
        const ret = wasm.run_new(ptr0, len0, ptr1, len1, ptr2, len2, ptr3, len3);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        this.__wbg_ptr = ret[0];
        RunFinalization.register(this, this.__wbg_ptr, this);
        return this;
    }
    /**
     * The number of weights of the model.
     * @returns {number}
     */
    paramCount() {
        const ret = wasm.run_paramCount(this.__wbg_ptr);
        return ret >>> 0;
    }
    /**
     * For every step from `from` (counted from 0) to the last taken, the mean loss of the most recent
     * steps up to it, at most [`MEAN_WINDOW`] of them, summed as the command line sums them: the
     * bold line of the loss curve.
     * @param {number} from
     * @returns {Float64Array}
     */
    runningMeans(from) {
        const ret = wasm.run_runningMeans(this.__wbg_ptr, from);
        var v1 = getArrayF64FromWasm0(ret[0], ret[1]).slice();
        wasm.__wbindgen_free(ret[0], ret[1] * 8, 8);
        return v1;
    }
    /**
     * A sampler of the model as it is now, whose random stream starts where `microgpt run` begins to
     * sample.
     * @returns {Sampler}
     */
    sampler() {
        const ret = wasm.run_sampler(this.__wbg_ptr);
        return Sampler.__wrap(ret);
    }
    /**
     * The number of steps taken so far.
     * @returns {number}
     */
    stepsTaken() {
        const ret = wasm.run_stepsTaken(this.__wbg_ptr);
        return ret >>> 0;
    }
    /**
     * The number of steps the run takes in all.
     * @returns {number}
     */
    steps() {
        const ret = wasm.run_steps(this.__wbg_ptr);
        return ret >>> 0;
    }
    /**
     * Takes up to `max_steps` more steps and returns their losses: fewer at the end of the run, none
     * once it is done. A step whose loss is not finite stops the run with the library's message.
     * @param {number} max_steps
     * @returns {Float64Array}
     */
    train(max_steps) {
        const ret = wasm.run_train(this.__wbg_ptr, max_steps);
        if (ret[3]) {
            throw takeFromExternrefTable0(ret[2]);
        }
        var v1 = getArrayF64FromWasm0(ret[0], ret[1]).slice();
        wasm.__wbindgen_free(ret[0], ret[1] * 8, 8);
        return v1;
    }
    /**
     * The number of distinct tokens: the corpus's characters and BOS.
     * @returns {number}
     */
    vocabSize() {
        const ret = wasm.run_vocabSize(this.__wbg_ptr);
        return ret >>> 0;
    }
    /**
     * Every weight of the model as it is now, in the layout's order: with the corpus and the seed,
     * all that [`Sampler::new`] needs to rebuild it on another page of the book.
     * @returns {Float64Array}
     */
    weights() {
        const ret = wasm.run_weights(this.__wbg_ptr);
        var v1 = getArrayF64FromWasm0(ret[0], ret[1]).slice();
        wasm.__wbindgen_free(ret[0], ret[1] * 8, 8);
        return v1;
    }
}
if (Symbol.dispose) Run.prototype[Symbol.dispose] = Run.prototype.free;

/**
 * A model to write with: names at a temperature, and the probabilities of the next character.
 */
export class Sampler {
    static __wrap(ptr) {
        const obj = Object.create(Sampler.prototype);
        obj.__wbg_ptr = ptr;
        SamplerFinalization.register(obj, obj.__wbg_ptr, obj);
        return obj;
    }
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        SamplerFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_sampler_free(ptr, 0);
    }
    /**
     * The attention weights of every layer and head while the model reads BOS and then `name`,
     * from [`Gpt::attention_maps`].
     * @param {string} name
     * @returns {AttentionMaps}
     */
    attention(name) {
        const ptr0 = passStringToWasm0(name, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
        const len0 = WASM_VECTOR_LEN;
        const ret = wasm.sampler_attention(this.__wbg_ptr, ptr0, len0);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return AttentionMaps.__wrap(ret[0]);
    }
    /**
     * The characters of the vocabulary in id order; BOS, the end of a name, is the one token after
     * them.
     * @returns {string}
     */
    characters() {
        let deferred1_0;
        let deferred1_1;
        try {
            const ret = wasm.sampler_characters(this.__wbg_ptr);
            deferred1_0 = ret[0];
            deferred1_1 = ret[1];
            return getStringFromWasm0(ret[0], ret[1]);
        } finally {
            wasm.__wbindgen_free(deferred1_0, deferred1_1, 1);
        }
    }
    /**
     * The model of a run on `words` (or the built-in names, for `None`) prepared from `seed`, with
     * the trained `weights` of [`Run::weights`]. Preparing again replays the run's shuffle and
     * initial weights, so the random stream is where that run began to sample, and the vocabulary
     * and the model's shape are the run's.
     * @param {string | null | undefined} words
     * @param {string} seed
     * @param {Float64Array | number[]} weights
     */
    constructor(words, seed, weights) {
        let ptr0, len0, ptr1, len1, ptr2, len2;
        try {
            ptr0 = isLikeNone(words) ? 0 : passStringToWasm0(words, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
            len0 = WASM_VECTOR_LEN;
            ptr1 = passStringToWasm0(seed, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
            len1 = WASM_VECTOR_LEN;
            ptr2 = passArrayF64ToWasm0(weights, wasm.__wbindgen_malloc);
            len2 = WASM_VECTOR_LEN;
        } catch (e) {
            if (ptr2) { wasm.__wbindgen_free(ptr2, len2 * 8, 8); }
            if (ptr1) { wasm.__wbindgen_free(ptr1, len1 * 1, 1); }
            if (ptr0) { wasm.__wbindgen_free(ptr0, len0 * 1, 1); }
            throw e;
        }
        const ret = wasm.sampler_new(ptr0, len0, ptr1, len1, ptr2, len2);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        this.__wbg_ptr = ret[0];
        SamplerFinalization.register(this, this.__wbg_ptr, this);
        return this;
    }
    /**
     * The probability of every token (the characters, then BOS) coming after `prefix` at
     * `temperature`: the distribution [`Sampler::sample`] draws from when it has written `prefix`.
     * @param {string} prefix
     * @param {string} temperature_text
     * @returns {Float64Array}
     */
    nextProbabilities(prefix, temperature_text) {
        let ptr0, len0, ptr1, len1;
        try {
            ptr0 = passStringToWasm0(prefix, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
            len0 = WASM_VECTOR_LEN;
            ptr1 = passStringToWasm0(temperature_text, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
            len1 = WASM_VECTOR_LEN;
        } catch (e) {
            if (ptr1) { wasm.__wbindgen_free(ptr1, len1 * 1, 1); }
            if (ptr0) { wasm.__wbindgen_free(ptr0, len0 * 1, 1); }
            throw e;
        }
        const ret = wasm.sampler_nextProbabilities(this.__wbg_ptr, ptr0, len0, ptr1, len1);
        if (ret[3]) {
            throw takeFromExternrefTable0(ret[2]);
        }
        var v3 = getArrayF64FromWasm0(ret[0], ret[1]).slice();
        wasm.__wbindgen_free(ret[0], ret[1] * 8, 8);
        return v3;
    }
    /**
     * `count` names at `temperature`, each on a line of its own: what `microgpt run` prints on
     * stdout with `--samples COUNT --temperature T`. Every call starts from the same point of the
     * random stream, so the same settings give the same names.
     * @param {string} temperature_text
     * @param {string} count
     * @returns {string}
     */
    sample(temperature_text, count) {
        let deferred4_0;
        let deferred4_1;
        try {
            let ptr0, len0, ptr1, len1;
            try {
                ptr0 = passStringToWasm0(temperature_text, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
                len0 = WASM_VECTOR_LEN;
                ptr1 = passStringToWasm0(count, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
                len1 = WASM_VECTOR_LEN;
            } catch (e) {
                if (ptr1) { wasm.__wbindgen_free(ptr1, len1 * 1, 1); }
                if (ptr0) { wasm.__wbindgen_free(ptr0, len0 * 1, 1); }
                throw e;
            }
            const ret = wasm.sampler_sample(this.__wbg_ptr, ptr0, len0, ptr1, len1);
            var ptr3 = ret[0];
            var len3 = ret[1];
            if (ret[3]) {
                ptr3 = 0; len3 = 0;
                throw takeFromExternrefTable0(ret[2]);
            }
            deferred4_0 = ptr3;
            deferred4_1 = len3;
            return getStringFromWasm0(ptr3, len3);
        } finally {
            wasm.__wbindgen_free(deferred4_0, deferred4_1, 1);
        }
    }
}
if (Symbol.dispose) Sampler.prototype[Symbol.dispose] = Sampler.prototype.free;

/**
 * The distribution of some logits at a temperature.
 */
export class Softmax {
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        SoftmaxFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_softmax_free(ptr, 0);
    }
    /**
     * The entropy `−Σ pᵢ ln pᵢ` in nats (a probability of 0 adds nothing): 0 when one token is
     * certain, `ln n` when all `n` are equally likely.
     * @returns {number}
     */
    entropy() {
        const ret = wasm.softmax_entropy(this.__wbg_ptr);
        return ret;
    }
    /**
     * The largest entropy `n` tokens can have, `ln n`: that of the uniform distribution.
     * @returns {number}
     */
    maxEntropy() {
        const ret = wasm.softmax_maxEntropy(this.__wbg_ptr);
        return ret;
    }
    /**
     * `softmax(logits / T)` for `logits` written as numbers separated by spaces and the
     * temperature as its field writes it.
     * @param {string} logits
     * @param {string} temperature_text
     */
    constructor(logits, temperature_text) {
        let ptr0, len0, ptr1, len1;
        try {
            ptr0 = passStringToWasm0(logits, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
            len0 = WASM_VECTOR_LEN;
            ptr1 = passStringToWasm0(temperature_text, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);
            len1 = WASM_VECTOR_LEN;
        } catch (e) {
            if (ptr1) { wasm.__wbindgen_free(ptr1, len1 * 1, 1); }
            if (ptr0) { wasm.__wbindgen_free(ptr0, len0 * 1, 1); }
            throw e;
        }
        const ret = wasm.softmax_new(ptr0, len0, ptr1, len1);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        this.__wbg_ptr = ret[0];
        SoftmaxFinalization.register(this, this.__wbg_ptr, this);
        return this;
    }
    /**
     * The probabilities, one per logit, in the logits' order.
     * @returns {Float64Array}
     */
    probabilities() {
        const ret = wasm.softmax_probabilities(this.__wbg_ptr);
        var v1 = getArrayF64FromWasm0(ret[0], ret[1]).slice();
        wasm.__wbindgen_free(ret[0], ret[1] * 8, 8);
        return v1;
    }
}
if (Symbol.dispose) Softmax.prototype[Symbol.dispose] = Softmax.prototype.free;
function __wbg_get_imports() {
    const import0 = {
        __proto__: null,
        __wbg___wbindgen_throw_4c88d8bf264fd984: function(arg0, arg1) {
            throw new Error(getStringFromWasm0(arg0, arg1));
        },
        __wbindgen_generic_0000000000000001: function(arg0, arg1) {
            // Cast intrinsic for `Ref(String) -> Externref`.
            const ret = getStringFromWasm0(arg0, arg1);
            return ret;
        },
        __wbindgen_init_externref_table: function() {
            const table = wasm.__wbindgen_externrefs;
            table.set(0, undefined);
            table.set(1024, undefined);
            table.set(1025, null);
            table.set(1026, true);
            table.set(1027, false);
        },
    };
    return {
        __proto__: null,
        "./microgpt_web_bg.js": import0,
    };
}

const AttentionMapsFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_attentionmaps_free(ptr, 1));
const BigramFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_bigram_free(ptr, 1));
const ExpressionGraphFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_expressiongraph_free(ptr, 1));
const OptimizerPathsFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_optimizerpaths_free(ptr, 1));
const RunFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_run_free(ptr, 1));
const SamplerFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_sampler_free(ptr, 1));
const SoftmaxFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_softmax_free(ptr, 1));

function getArrayF64FromWasm0(ptr, len) {
    ptr = ptr >>> 0;
    return getFloat64ArrayMemory0().subarray(ptr / 8, ptr / 8 + len);
}

let cachedFloat64ArrayMemory0 = null;
function getFloat64ArrayMemory0() {
    if (cachedFloat64ArrayMemory0 === null || cachedFloat64ArrayMemory0.byteLength === 0) {
        cachedFloat64ArrayMemory0 = new Float64Array(wasm.memory.buffer);
    }
    return cachedFloat64ArrayMemory0;
}

function getStringFromWasm0(ptr, len) {
    ptr = ptr >>> 0;
    return decodeText(getUint8ArrayMemory0().subarray(ptr, ptr + len));
}

let cachedUint8ArrayMemory0 = null;
function getUint8ArrayMemory0() {
    if (cachedUint8ArrayMemory0 === null || cachedUint8ArrayMemory0.byteLength === 0) {
        cachedUint8ArrayMemory0 = new Uint8Array(wasm.memory.buffer);
    }
    return cachedUint8ArrayMemory0;
}

function isLikeNone(x) {
    return x === undefined || x === null;
}

function passArrayF64ToWasm0(arg, malloc) {
    const ptr = malloc(arg.length * 8, 8) >>> 0;
    getFloat64ArrayMemory0().set(arg, ptr / 8);
    WASM_VECTOR_LEN = arg.length;
    return ptr;
}

function passStringToWasm0(arg, malloc, realloc) {
    if (realloc === undefined) {
        const buf = cachedTextEncoder.encode(arg);
        const ptr = malloc(buf.length, 1) >>> 0;
        getUint8ArrayMemory0().subarray(ptr, ptr + buf.length).set(buf);
        WASM_VECTOR_LEN = buf.length;
        return ptr;
    }

    let len = arg.length;
    let ptr = malloc(len, 1) >>> 0;

    const mem = getUint8ArrayMemory0();

    let offset = 0;

    for (; offset < len; offset++) {
        const code = arg.charCodeAt(offset);
        if (code > 0x7F) break;
        mem[ptr + offset] = code;
    }
    if (offset !== len) {
        if (offset !== 0) {
            arg = arg.slice(offset);
        }
        ptr = realloc(ptr, len, len = offset + arg.length * 3, 1) >>> 0;
        const view = getUint8ArrayMemory0().subarray(ptr + offset, ptr + len);
        const ret = cachedTextEncoder.encodeInto(arg, view);

        offset += ret.written;
        ptr = realloc(ptr, len, offset, 1) >>> 0;
    }

    WASM_VECTOR_LEN = offset;
    return ptr;
}

function takeFromExternrefTable0(idx) {
    const value = wasm.__wbindgen_externrefs.get(idx);
    wasm.__externref_table_dealloc(idx);
    return value;
}

let cachedTextDecoder = new TextDecoder('utf-8', { ignoreBOM: true });
cachedTextDecoder.decode();
const MAX_SAFARI_DECODE_BYTES = 2146435072;
let numBytesDecoded = 0;
function decodeText(bytes) {
    numBytesDecoded += bytes.length;
    if (numBytesDecoded >= MAX_SAFARI_DECODE_BYTES) {
        cachedTextDecoder = new TextDecoder('utf-8', { ignoreBOM: true });
        cachedTextDecoder.decode();
        numBytesDecoded = bytes.length;
    }
    return cachedTextDecoder.decode(bytes);
}

const cachedTextEncoder = new TextEncoder();

if (!('encodeInto' in cachedTextEncoder)) {
    cachedTextEncoder.encodeInto = function (arg, view) {
        const buf = cachedTextEncoder.encode(arg);
        view.set(buf);
        return {
            read: arg.length,
            written: buf.length
        };
    };
}

let WASM_VECTOR_LEN = 0;

let wasmModule, wasmInstance, wasm;
function __wbg_finalize_init(instance, module) {
    wasmInstance = instance;
    wasm = instance.exports;
    wasmModule = module;
    cachedFloat64ArrayMemory0 = null;
    cachedUint8ArrayMemory0 = null;
    wasm.__wbindgen_start();
    return wasm;
}

async function __wbg_load(module, imports) {
    if (typeof Response === 'function' && module instanceof Response) {
        if (!module.ok) {
            throw new Error(`failed to fetch Wasm: ${module.status} ${module.statusText} fetching '${module.url}'`);
        }

        if (typeof WebAssembly.instantiateStreaming === 'function') {
            try {
                return await WebAssembly.instantiateStreaming(module, imports);
            } catch (e) {
                const validResponse = expectedResponseType(module.type);

                if (validResponse && module.headers.get('Content-Type') !== 'application/wasm') {
                    console.warn("`WebAssembly.instantiateStreaming` failed because your server does not serve Wasm with `application/wasm` MIME type. Falling back to `WebAssembly.instantiate` which is slower. Original error:\n", e);

                } else { throw e; }
            }
        }

        const bytes = await module.arrayBuffer();
        return await WebAssembly.instantiate(bytes, imports);
    } else {
        const instance = await WebAssembly.instantiate(module, imports);

        if (instance instanceof WebAssembly.Instance) {
            return { instance, module };
        } else {
            return instance;
        }
    }

    function expectedResponseType(type) {
        switch (type) {
            case 'basic': case 'cors': case 'default': return true;
        }
        return false;
    }
}

function initSync(module) {
    if (wasm !== undefined) return wasm;


    if (module !== undefined) {
        if (Object.getPrototypeOf(module) === Object.prototype) {
            ({module} = module)
        } else {
            console.warn('using deprecated parameters for `initSync()`; pass a single object instead')
        }
    }

    const imports = __wbg_get_imports();
    if (!(module instanceof WebAssembly.Module)) {
        module = new WebAssembly.Module(module);
    }
    const instance = new WebAssembly.Instance(module, imports);
    return __wbg_finalize_init(instance, module);
}

let __wbg_init_promise;
async function __wbg_init(module_or_path) {
    if (wasm !== undefined) return wasm;
    if (__wbg_init_promise === undefined) {
        __wbg_init_promise = __wbg_init_once(module_or_path);
        __wbg_init_promise.catch(() => { __wbg_init_promise = undefined; });
    }
    return __wbg_init_promise;
}

async function __wbg_init_once(module_or_path) {

    if (module_or_path !== undefined) {
        if (Object.getPrototypeOf(module_or_path) === Object.prototype) {
            ({module_or_path} = module_or_path)
        } else {
            console.warn('using deprecated parameters for the initialization function; pass a single object instead')
        }
    }

    if (module_or_path === undefined) {
        module_or_path = new URL('microgpt_web_bg.wasm', import.meta.url);
    }
    const imports = __wbg_get_imports();

    if (typeof module_or_path === 'string' || (typeof Request === 'function' && module_or_path instanceof Request) || (typeof URL === 'function' && module_or_path instanceof URL)) {
        module_or_path = fetch(module_or_path);
    }

    const { instance, module } = await __wbg_load(await module_or_path, imports);

    return __wbg_finalize_init(instance, module);
}

export { initSync, __wbg_init as default };
