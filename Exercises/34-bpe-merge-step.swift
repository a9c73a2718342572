// Exercise 34 · chapter 18 (ch18-inside-the-llama-block): one step of training a BPE tokenizer
//
// The tiny LLaMA's tokenizer was trained by the package's BPETrainer, as Hugging Face
// `tokenizers` trains a byte-level BPE: the text is cut into words, each word starts as its
// bytes (one token id each), and then, again and again, the most frequent adjacent pair of
// tokens becomes a new token. One step:
//
//   count    every adjacent pair (a, b) in every word, weighted by how often the word occurs:
//            the word [a, a, a] holds the pair (a, a) twice (positions 0–1 and 1–2)
//   pick     the pair with the highest count; on a tie, the smaller left id, then the smaller
//            right id (what BPETrainer and `tokenizers`' BpeTrainer do)
//   merge    in every word, scanning left to right, replace each a followed by b with newToken
//            ([a, a, a] with (a, a) becomes [new, a]: the scan moves past a joined pair)
//
// Pairs never cross words. With no adjacent pair left anywhere (every word a single token),
// there is nothing to merge: return nil. The check trains the library's BPETrainer on small
// texts and replays its merges, one call of your function per merge.
//
// What to do: count, pick and merge one pair.
// Check: swift run exercises 34         Stuck? swift run exercises 34 --hint
import LoRA

/// One BPE training step on `words` (token ids; `counts[w]` is how often word w occurs): the
/// most frequent adjacent pair (ties: smaller left id, then smaller right id), its count, and
/// the words with every occurrence of it joined into `newToken`; nil when no word has a pair.
public func bpeMergeStep(words: [[Int]], counts: [Int], newToken: Int) -> (left: Int, right: Int, count: Int, words: [[Int]])? {
    // TODO: count the pairs, pick one, merge it. This placeholder never finds a pair.
    return nil
}
