"""A character-level tokenizer and a tiny causal LM config built in code (nothing is
downloaded), for the trainer integration tests."""

from __future__ import annotations

from pathlib import Path

SPECIALS = ["<pad>", "<s>", "</s>", "<unk>"]
CHARACTERS = "abcdefghijklmnopqrstuvwxyz0123456789 +-*/=?.,:"
# Chat messages are joined as plain text; the generation prompt is "=".
CHAT_TEMPLATE = "{% for m in messages %}{{ m['content'] }}{% endfor %}{% if add_generation_prompt %}={% endif %}"


def char_tokenizer():
    """A ``PreTrainedTokenizerFast`` with one token per character."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocabulary = {token: i for i, token in enumerate(SPECIALS + list(CHARACTERS))}
    model = Tokenizer(models.WordLevel(vocab=vocabulary, unk_token="<unk>"))
    model.pre_tokenizer = pre_tokenizers.Split("", behavior="isolated")
    model.decoder = decoders.Fuse()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=model, pad_token="<pad>", bos_token="<s>",
                                        eos_token="</s>", unk_token="<unk>")
    tokenizer.chat_template = CHAT_TEMPLATE
    return tokenizer


def tiny_llama_config(vocab_size: int):
    from transformers import LlamaConfig

    return LlamaConfig(vocab_size=vocab_size, hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                       num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=128,
                       architectures=["LlamaForCausalLM"], pad_token_id=0, bos_token_id=1, eos_token_id=2)


def save_tiny_model_directory(directory: Path) -> Path:
    """A model directory (tokenizer and config, no weights) as verl's model.path expects."""
    tokenizer = char_tokenizer()
    tokenizer.save_pretrained(directory)
    tiny_llama_config(len(tokenizer)).save_pretrained(directory)
    return directory


def write_prompts_parquet(path: Path, categories, count: int = 60) -> Path:
    """A verl RL dataset (chat prompt, data_source, reward_model, extra_info.index) with a
    ``category`` column: prompt i has category ``categories[i % len(categories)]``."""
    import pandas as pd

    rows = [{"prompt": [{"role": "user", "content": f"{i} {c} {i}"}], "data_source": "toy", "category": c,
             "reward_model": {"ground_truth": "0"}, "extra_info": {"index": i}}
            for i, c in ((i, categories[i % len(categories)]) for i in range(count))]
    pd.DataFrame(rows).to_parquet(path)
    return path
