"""Simplified Chinese for every string of the UI, keyed by its English (see playground.ui.i18n).

`ZH` holds whole strings: the static text of the tabs and the templates (`{name}` fields, str.format) of
what the handlers write. `PATTERNS` translates strings the UI builds from names and numbers (a model's
label, a size's description, the engine's common sentences): a regular expression over the whole English
string and its Chinese replacement. Terms follow Chinese ML teaching: 词元 (token), 温度, 采样, 束搜索,
困惑度, 分词器, 语料, 微调, 验证集.
"""

from __future__ import annotations

import re
import string

ZH: dict[str, str] = {
    # ---- header and tabs
    "# GPT-2 Playground\nTrain a small language model, then take its next-token distribution apart, knob by knob.":
        "# GPT-2 演练场\n训练一个小型语言模型，再把它的下一个词元分布一个旋钮一个旋钮地拆开来看。",
    "# GPT-2 Playground\nTrain a small language model, then take its next-token distribution apart, knob by knob."
    "  \n*Hosted mode: catalog and session models only.*":
        "# GPT-2 演练场\n训练一个小型语言模型，再把它的下一个词元分布一个旋钮一个旋钮地拆开来看。"
        "  \n*托管模式：只能使用目录中的模型和本次会话训练的模型。*",
    "Model (used by every tab)": "模型（所有标签页共用）",
    "Data": "数据",
    "Train": "训练",
    "Runs": "训练记录",
    "Generate": "生成",
    "Decoding lab": "解码实验室",
    "Compare": "对比",
    "Evaluate": "评估",
    "Internals": "模型内部",
    "Error (in English):": "错误（英文原文）：",
    "Presentation mode (large text; or add ?present=1 to the address)": "演示模式（大字号；也可以在网址后加 ?present=1）",
    "Presentation mode (or ?present=1)": "演示模式（或在网址后加 ?present=1）",
    "Copy share link": "复制分享链接",
    "Opened from a shared link: the {tab} tab{model}{knobs}.": "已从分享链接打开“{tab}”标签页{model}{knobs}。",
    " with {model}": "，模型为 {model}",
    "Ignored from the link: {items}": "链接中被忽略的部分：{items}",
    "a link that opens this tab with this model, prompt, knobs and seed": "用这个模型、提示词、旋钮设置和随机种子打开本标签页的链接",

    # ---- shared knobs
    "Temperature": "温度",
    "0 = greedy; below 1 sharpens, above 1 flattens": "0 = 贪心解码；小于 1 使分布更尖锐，大于 1 使其更平坦",
    "keep the k likeliest tokens; 0 = off": "只保留概率最高的 k 个词元；0 = 关闭",
    "Top-p (nucleus)": "Top-p（核采样）",
    "keep the smallest set reaching p; 1 = off": "保留累计概率达到 p 的最小词元集合；1 = 关闭",
    "Repetition penalty": "重复惩罚",
    "above 1 discourages tokens already used": "大于 1 时抑制已经出现过的词元",
    "More knobs": "更多旋钮",
    "drop tokens below p × the top token's; 0 = off": "去掉概率低于「p × 最高词元概率」的词元；0 = 关闭",
    "locally typical sampling; 1 = off": "局部典型采样；1 = 关闭",
    "No-repeat n-gram size": "禁止重复的 n-gram 长度",
    "0 = off": "0 = 关闭",
    "Seed": "随机种子",
    "Prompt": "提示词",
    "New tokens": "新词元数",
    "Stop": "停止",
    "Smoothing (train loss)": "平滑（训练损失）",

    # ---- Data tab
    "Pick the text the model will learn from. A bundled corpus is ready to go; or upload your own. **Prepare** "
    "tokenizes it (with GPT-2's BPE) and cuts it into training examples; the Train tab then trains on exactly these "
    "examples.":
        "选择模型要学习的文本：可以直接用内置语料，也可以上传自己的文件。**准备语料**会用 GPT-2 的 BPE 分词，"
        "并把文本切成训练样本；之后“训练”标签页就在这些样本上训练。",
    "Shakespeare (38 plays)": "莎士比亚（38 部戏剧）",
    "Pick the text the model will learn from. A bundled corpus is ready to go; or upload your own. **Prepare** "
    "previews it cut into training examples, counted with GPT-2's BPE. The Train tab trains on these files with this "
    "cleaning, block size, stride and validation share, tokenized by its run's tokenizer (a fine-tuned model's own; "
    "GPT-2's or a corpus BPE from scratch), so with a corpus BPE its counts differ.":
        "选择模型要学习的文本：可以直接用内置语料，也可以上传自己的文件。**准备语料**会预览它被切成的训练样本，"
        "并用 GPT-2 的 BPE 计数。“训练”标签页会用这些文件以及这里的清洗、块大小、步幅和验证集比例来训练，"
        "分词则用该次训练自己的分词器（微调时用模型自带的；从零训练时用 GPT-2 的或在语料上训练的 BPE），"
        "所以使用语料 BPE 时，词元数会和这里不同。",
    "Uploaded files": "上传的文件",
    "Corpus": "语料",
    "Upload text files: .txt, .md, .csv, .jsonl": "上传文本文件：.txt、.md、.csv、.jsonl",
    "Upload text files: .txt, .md, .csv, .jsonl (up to 10 MB each)": "上传文本文件：.txt、.md、.csv、.jsonl（每个最多 10 MB）",
    "Preview (the first characters)": "预览（开头部分）",
    "Cleaning (each is optional)": "清洗（均为可选）",
    "Drop blank lines": "删除空行",
    "Strip page numbers": "去掉页码",
    "Collapse runs of spaces": "合并连续空格",
    "Remove duplicate lines": "删除重复行",
    "Examples": "样本",
    "Blocks: a continuous stream cut into windows": "分块：把连续文本流切成固定长度的窗口",
    "Line by line: each line (or record) is one example": "逐行：每一行（或每条记录）是一个样本",
    "Block size (tokens)": "块大小（词元）",
    "Tokens the model sees at once.": "模型一次看到的词元数。",
    "Stride (0 = block size)": "步幅（0 = 块大小）",
    "Less than the block size overlaps windows.": "小于块大小时，窗口会相互重叠。",
    "Validation %": "验证集比例 %",
    "Held out, never trained on (bundled corpora use whole held-out plays).":
        "留出不参与训练的部分（内置语料用整部留出的戏剧作验证集）。",
    "Text column (csv / jsonl)": "文本列（csv / jsonl）",
    "Prepare corpus": "准备语料",
    "Token lengths": "词元长度",
    "Most frequent tokens": "最常见的词元",
    "token": "词元",
    "count": "次数",
    "No file uploaded yet; drop one or more .txt, .md, .csv or .jsonl files above.":
        "还没有上传文件；请把一个或多个 .txt、.md、.csv 或 .jsonl 文件拖到上方。",
    "'{name}' is larger than {mb} MB, the limit here; upload a smaller file.":
        "“{name}”超过了这里 {mb} MB 的上限；请上传更小的文件。",
    "{n} file(s) uploaded; press Prepare corpus.": "已上传 {n} 个文件；请点击“准备语料”。",
    "Ready: {label}. The Train tab will train on these {n} examples.": "已就绪：{label}。“训练”标签页将在这 {n} 个样本上训练。",
    "Ready: {label}. Preview with GPT-2's BPE: {n} training examples; the Train tab uses these settings with its run's "
    "tokenizer.": "已就绪：{label}。用 GPT-2 的 BPE 预览：{n} 个训练样本；“训练”标签页会用这些设置和该次训练自己的分词器。",
    "characters": "字符",
    "lines": "行",
    "tokens": "词元",
    "train examples": "训练样本",
    "val examples": "验证样本",
    "tokens / example": "词元 / 样本",

    # ---- Train tab
    "Fine-tune a pretrained GPT-2 on the corpus from the Data tab, or train a small one from scratch. Watch the loss "
    "fall: **train loss** is measured on the batches the model learns from, **val loss** on text it never sees — when "
    "val loss stops falling while train loss keeps going, it is memorising.":
        "在“数据”标签页准备的语料上微调预训练的 GPT-2，或从零训练一个小模型。看着损失下降：**训练损失**在模型学习的批次上测得，"
        "**验证损失**在它从未见过的文本上测得——如果验证损失不再下降而训练损失还在下降，模型就在死记硬背（过拟合）。",
    "Fine-tune a model": "微调已有模型",
    "Train from scratch": "从零训练",
    "Model": "模型",
    "Start from": "起点模型",
    "…or a local model folder": "……或本地模型文件夹",
    "LoRA: train small adapters instead of every weight": "LoRA：只训练小型适配器，而不是全部权重",
    "Size": "规模",
    "Tokenizer": "分词器",
    "BPE trained on the corpus: 4 000 tokens": "在语料上训练的 BPE：4 000 个词元",
    "BPE trained on the corpus: 1 000": "在语料上训练的 BPE：1 000",
    "BPE trained on the corpus: 8 000": "在语料上训练的 BPE：8 000",
    "GPT-2's BPE (50 257 tokens: a big, slow output layer)": "GPT-2 的 BPE（50 257 个词元：输出层大而慢）",
    "Corpus: the bundled Shakespeare unless you prepare another on the Data tab.":
        "语料：内置的莎士比亚，除非你在“数据”标签页准备了别的语料。",
    "Corpus: {label} — {n} training examples of {block} tokens ({mode}).": "语料：{label}——{n} 个训练样本，每个 {block} 个词元（{mode}）。",
    "blocks": "分块",
    "Max steps (0 = by epochs)": "最大步数（0 = 按轮数）",
    "Time budget, minutes (0 = none)": "时间预算，分钟（0 = 不限）",
    "Learning rate": "学习率",
    "Batch size": "批大小",
    "Advanced": "高级",
    "Epochs (0 = one, or the step limit)": "训练轮数（0 = 一轮，或以步数上限为准）",
    "Gradient accumulation": "梯度累积",
    "LR schedule": "学习率调度",
    "cosine": "余弦",
    "linear": "线性",
    "constant": "恒定",
    "wsd": "wsd（预热-稳定-衰减）",
    "Optimizer": "优化器",
    "Warm-up steps": "预热步数",
    "Weight decay": "权重衰减",
    "Evaluate every N steps (0 = ten times)": "每 N 步评估一次（0 = 共评估十次）",
    "Dropout": "Dropout（随机失活）",
    "default: the model's own, 0 from scratch": "默认：沿用模型自己的；从零训练时为 0",
    "Sample prompt": "示例提示词",
    "start of the corpus": "语料开头",
    "Quick demo preset": "快速演示预设",
    "Start training": "开始训练",
    "Ready": "就绪",
    "Not started": "未开始",
    "Log scale": "对数坐标",
    "Samples": "生成示例",
    "sample generated at this evaluation": "这次评估时生成的示例",
    "Download the trained model (.zip)": "下载训练好的模型（.zip）",
    "Quick demo: the tiny model from scratch on the bundled Shakespeare, with a time budget.":
        "快速演示：在内置莎士比亚语料上从零训练 tiny 模型，并设有时间预算。",
    "A training job is already running; stop it first.": "已经有一个训练任务在运行；请先停止它。",
    "Starting…": "正在启动……",
    "Preparing the corpus and model…": "正在准备语料和模型……",
    "Training": "训练中",
    "Saving the model…": "正在保存模型……",
    "Finished": "已完成",
    "Stopped": "已停止",
    "Failed": "失败",
    "Stopping after this step…": "完成这一步后停止……",
    "Waiting for the training slot — position {pos} in the queue": "正在等待训练名额——排在第 {pos} 位",
    "one job at a time here; Generate and the lab still work": "这里一次只运行一个任务；“生成”和解码实验室仍可使用",
    "step {step} / {max}": "第 {step} / {max} 步",
    "step {step}": "第 {step} 步",
    "lr {lr}": "学习率 {lr}",
    "{n} tokens/s": "{n} 词元/秒",
    "val loss {loss} (ppl {ppl})": "验证损失 {loss}（困惑度 {ppl}）",
    "elapsed {t}": "已用 {t}",
    "ETA {t}": "预计剩余 {t}",
    "It is now the selected model on every tab and can be downloaded below.": "它现在是所有标签页选中的模型，可以在下方下载。",
    "Saved in {folder}.": "保存在 {folder}。",
    "Stopped; the model so far is saved.": "已停止；目前为止的模型已保存。",
    "Training finished.": "训练完成。",
    "The model is saved in {folder}, but its zip could not be made: {error}": "模型已保存在 {folder}，但无法打包成 zip：{error}",
    "Expected here: {estimate} (an estimate; preparing the corpus and evaluations come on top).":
        "本机预计：{estimate}（仅为估计；准备语料和评估的时间另计）。",

    # ---- Runs tab
    "run": "训练记录",
    "base / size": "基座 / 规模",
    "status": "状态",
    "steps": "步数",
    "best val loss": "最佳验证损失",
    "started": "开始时间",
    "setting": "设置",
    "Refresh": "刷新",
    "Run": "训练记录",
    "Use this model": "使用这个模型",
    "Download (.zip)": "下载（.zip）",
    "Resume training": "继续训练",
    "Delete…": "删除……",
    "Delete it for good": "永久删除",
    "Cancel": "取消",
    "The same run from the command line": "用命令行运行同样的训练",
    "### Compare runs": "### 对比训练记录",
    "Runs to overlay": "要叠加的训练记录",
    "x-axis": "横轴",
    "step": "步数",
    "tokens seen": "已见词元数",
    "wall time": "实际用时",
    "epoch": "轮数",
    "Log y": "纵轴对数",
    "Settings that differ": "不同的设置",
    "training…": "训练中……",
    "finished": "已完成",
    "stopped (saved)": "已停止（已保存）",
    "failed": "失败",
    "interrupted": "已中断",
    "# this run recorded no settings": "# 这次训练没有记录设置",
    "{name} is now the selected model on every tab.": "{name} 现在是所有标签页选中的模型。",
    "Resuming {name} from step {step}.": "从第 {step} 步继续训练 {name}。",
    "Pick a run first.": "请先选择一条训练记录。",
    "Delete {name} and its model? This cannot be undone.": "删除 {name} 及其模型？此操作无法撤销。",
    "Deleted {name}.": "已删除 {name}。",

    # ---- Generate tab
    "Type a prompt and generate. Every knob is applied exactly as `transformers`' `generate` applies it. Below the "
    "text, each generated token is coloured by the probability it had when it was picked — **click a token** to see "
    "what else the model considered and continue from there with another choice.":
        "输入提示词并生成。每个旋钮的作用方式与 `transformers` 的 `generate` 完全一致。文本下方，每个生成的词元按它被选中时的概率着色——"
        "**点击一个词元**，看看模型还考虑过哪些候选，并可以换一个词元从那里继续生成。",
    "Empty starts from <|endoftext|>, like a new document.": "留空则从 <|endoftext|> 开始，就像一篇新文档。",
    "Type a prompt and generate. Every knob is applied exactly as `transformers`' `generate` applies it. Below the "
    "text, each generated token is coloured by the probability it had when it was picked — **hover a token** to see "
    "what else the model considered, **click it** to continue from there with another choice.":
        "输入提示词并生成。每个旋钮的作用方式与 `transformers` 的 `generate` 完全一致。文本下方，每个生成的词元按它被选中时的概率着色——"
        "**鼠标悬停在词元上**可以看到模型还考虑过哪些候选，**点击它**可以换一个词元从那里继续生成。",
    "Output": "输出",
    "Max new tokens": "最多生成的新词元数",
    "Beams": "束数",
    "needs temperature 0": "需要温度为 0",
    "Sequences": "序列数",
    "Seed (blank = random)": "随机种子（留空 = 随机）",
    "random": "随机",
    "Stop text": "停止文本",
    "e.g. \\n\\n": "例如 \\n\\n",
    "### Tokens coloured by their probability": "### 按概率着色的词元",
    "p of the chosen token:": "被选中词元的概率 p：",
    "Click a token": "点击一个词元",
    "Hover a token for its probability and alternatives; click it to continue from there":
        "鼠标悬停在词元上可查看它的概率和候选词元；点击它可从那里继续生成",
    "Generate, then click a token above.": "先生成，再点击上方的一个词元。",
    "Alternatives at this position (final distribution)": "这个位置的候选词元（最终分布）",
    "Continue from here with this token": "用这个词元从这里继续",
    "Generating…": "正在生成……",
    "model {model}": "模型 {model}",
    "seed {seed}": "种子 {seed}",
    "{n} tokens": "{n} 个词元",
    "mean p of chosen tokens {p}": "选中词元的平均概率 {p}",
    "stopped": "已停止",
    "── sequence {i} ──": "── 序列 {i} ──",
    "at most {limit} for this model (its context is {context} tokens)": "这个模型最多 {limit}（其上下文长度为 {context} 个词元）",
    "That is the prompt; click a generated token.": "那是提示词；请点击一个生成的词元。",
    "← chosen": "← 已选",
    "Token {i}": "第 {i} 个词元",
    "picked with p = {p} (raw model: {raw})": "被选中时 p = {p}（模型原始概率：{raw}）",
    "entropy of the distribution: {h} nats": "分布的熵：{h} 奈特",
    "Click a generated token and pick an alternative first.": "请先点击一个生成的词元，并选择一个候选。",
    "Continued from token {i} with your choice.": "已从第 {i} 个词元处按你的选择继续。",
    "p = {p} (raw model {raw})": "p = {p}（模型原始概率 {raw}）",
    "top alternatives:": "概率最高的候选：",

    # ---- Decoding lab
    "What does each knob do to the model's next-token distribution? **Show distribution** draws the top tokens after "
    "every stage, in the order `generate` applies them, all on one probability scale: tokens a knob cuts turn pale "
    "and hatched, the survivors are renormalised (each bar grows past the tick where it stood; ×1.25 means the stage "
    "kept 80 % of the mass). Each panel gives its entropy and *effective choices* e^H — as uncertain as a fair pick "
    "among that many tokens. Move a slider and the chart follows. Then **sample** from the final distribution, "
    "sweep the **temperature**, or **step**: append a token and look at the next distribution.":
        "每个旋钮会把模型的下一个词元分布变成什么样？**显示分布**按 `generate` 应用旋钮的顺序，画出每个阶段之后概率最高的词元，"
        "所有阶段共用同一个概率刻度：被某个旋钮剪掉的词元变淡并加上斜线，留下的词元重新归一化（每根柱子会越过它原来位置的刻度线；"
        "×1.25 表示这一阶段保留了 80% 的概率质量）。每个面板给出它的熵和*有效选择数* e^H——不确定程度相当于在这么多个词元中公平地挑一个。"
        "拖动滑块，图表随之更新。然后从最终分布中**采样**、扫动**温度**，或者**单步**：追加一个词元，再看下一个分布。",
    "Context": "上下文",
    "Contexts with a clear favourite (demo model)": "有明显首选词元的上下文（演示模型）",
    "Tokens to show": "显示的词元数",
    "Show distribution": "显示分布",
    "### Step mode": "### 单步模式",
    "Next token (final distribution)": "下一个词元（最终分布）",
    "Append this token": "追加这个词元",
    "Sample one": "采样一个",
    "### Sampling and temperature": "### 采样与温度",
    "Draws": "抽样次数",
    "Sample": "采样",
    "Temperature sweep": "温度扫描",
    "drag: the same bars at another temperature (0 = greedy)": "拖动：同样的柱子在另一个温度下（0 = 贪心）",
    "▶ Sweep 0 → 2": "▶ 从 0 扫到 2",
    "Temperatures marked for comparison": "标出用于对比的温度",
    "{n} context tokens": "上下文 {n} 个词元",
    "{n} tokens possible after every knob": "经过所有旋钮后还剩 {n} 个可能的词元",
    "greedy: generate takes the top token": "贪心：generate 直接取概率最高的词元",
    "Appended “{token}”": "已追加“{token}”",
    " (sampled)": "（采样得到）",
    "Give between one and six temperatures, like 0.3, 1, 1.5.": "请给出一到六个温度，例如 0.3, 1, 1.5。",
    "Press Show distribution first; then choose the next token.": "请先点击“显示分布”，再选择下一个词元。",
    "Choose a token in the list first.": "请先在列表中选择一个词元。",
    "Press Show distribution first; then sample from it.": "请先点击“显示分布”，再从中采样。",
    "Press Show distribution first; then sweep its temperature.": "请先点击“显示分布”，再扫描它的温度。",
    "Press Show distribution first; then play its temperature sweep.": "请先点击“显示分布”，再播放温度扫描。",

    # ---- Compare tab
    "The same prompt and seed through six classic strategies (and, if you like, your own settings from the Generate "
    "tab). **Perplexity** of the text under the model: low means predictable (greedy and beam search), high means "
    "surprising. **Distinct-n**: share of different n-grams (low = repetitive). **Repeated 3-grams**: share of "
    "3-grams seen earlier in the same text.":
        "用同一个提示词和随机种子跑六种经典解码策略（也可以加上你在“生成”标签页的设置）。文本在模型下的**困惑度**："
        "低表示可预测（贪心和束搜索），高表示出人意料。**Distinct-n**：不同 n-gram 所占的比例（低 = 重复）。"
        "**重复 3-gram**：在同一文本中之前已出现过的 3-gram 所占的比例。",
    "Include my Generate-tab settings (“yours”)": "加入我在“生成”标签页的设置（“yours”）",
    "Compare strategies": "对比各种策略",
    "Download table (CSV)": "下载表格（CSV）",
    "Running {name}…": "正在运行 {name}……",
    "{done} of {total} strategies": "已完成 {done} / {total} 种策略",
    "Metrics": "指标",
    "strategy": "策略",
    "mean log-prob": "平均对数概率",
    "repeated 3-grams": "重复 3-gram",

    # ---- Evaluate tab
    "How surprised is a model by a text? **Perplexity** is e^(mean surprisal); **nats/char** compares models with "
    "different tokenizers. Score the same text under the selected model and, optionally, a second one — say, before "
    "and after fine-tuning — and see which tokens each found surprising.":
        "一段文本让模型有多意外？**困惑度**是 e^(平均惊奇度)；**奈特/字符**可以比较分词器不同的模型。"
        "在选中的模型下给同一段文本打分，也可以再加一个模型——比如微调前后——看看各自觉得哪些词元出人意料。",
    "Text": "文本",
    "…or a text file": "……或一个文本文件",
    "…or a text file (.txt, .md): when one is attached, it is scored instead of the text box":
        "……或一个文本文件（.txt、.md）：附上文件时，评估的是文件而不是上面的文本框",
    "…or a file, scored instead of the text": "……或一个文件：附上时评估文件，而不是上面的文本",
    "Second model (optional)": "第二个模型（可选）",
    "The first is the model selected at the top.": "第一个模型是页面顶部选中的模型。",
    "(none)": "（无）",
    "Stride (0 = half the context)": "步幅（0 = 上下文长度的一半）",
    "Scores": "得分",
    "model": "模型",
    "loss (nats/token)": "损失（奈特/词元）",
    "nats/char": "奈特/字符",
    "Surprisal of each token under the first model:": "第一个模型下每个词元的惊奇度：",
    "Tokens coloured by surprisal": "按惊奇度着色的词元",
    "perplexity": "困惑度",
    "nats / token": "奈特 / 词元",
    "nats / char": "奈特 / 字符",
    "second model's perplexity": "第二个模型的困惑度",

    # ---- Internals tab
    "Look inside the selected GPT-2 while it reads a text (its first 64 tokens). **Attention**: for one layer and "
    "head, how much each token (row) draws from each earlier token (column). **Logit lens**: the residual stream "
    "after every block read through the final layer norm and the LM head — the model's guess for the next token, "
    "layer by layer. **Surprisal**: −ln p of each token given the ones before it. Below, the **beam-search tree**: "
    "every hypothesis beam search weighed, and why it was kept, finished or pruned.":
        "在选中的 GPT-2 读一段文本（前 64 个词元）时看看它的内部。**注意力**：对某一层的某个注意力头，每个词元（行）"
        "从之前每个词元（列）取了多少信息。**Logit 透镜**：把每个模块之后的残差流经过最后的层归一化和语言模型头读出来——"
        "即模型逐层对下一个词元的猜测。**惊奇度**：给定前文时每个词元的 −ln p。下方是**束搜索树**：束搜索权衡过的每个假设，"
        "以及它为何被保留、完成或剪掉。",
    "Look inside": "看看内部",
    "Layer": "层",
    "Head": "注意力头",
    "0 = the mean of every head": "0 = 所有注意力头的平均",
    "Follow one token": "跟踪一个词元",
    "its position in the text; 0 = every token": "它在文本中的位置；0 = 所有词元",
    "### Beam-search tree\nBeam search keeps the *B* best partial texts by summed log-probability. At each step it "
    "ranks 2*B* candidate continuations; the *B* best unfinished ones continue, candidates that end (end-of-text, or "
    "the length limit) join the finished list with their score divided by their length, and the rest are pruned. "
    "Hover a node to read its fate. The green paths are exactly what `generate(num_beams=B)` returns.":
        "### 束搜索树\n束搜索按对数概率之和保留最好的 *B* 个部分文本。每一步它给 2*B* 个候选续写排序：最好的 *B* 个未完成候选继续，"
        "结束的候选（遇到文本结束符或达到长度上限）以“得分除以长度”加入已完成列表，其余的被剪掉。把鼠标悬停在节点上可以看到它的结局。"
        "绿色路径正是 `generate(num_beams=B)` 返回的结果。",
    "Beam tree": "束搜索树",
    "{n} layers × {h} heads": "{n} 层 × {h} 个注意力头",
    "mean surprisal {s} nats": "平均惊奇度 {s} 奈特",
    "Press Look inside first; then choose a layer and head.": "请先点击“看看内部”，再选择层和注意力头。",

    # ---- charts (playground.charts, through i18n.localize_figure: each <br> line of a title or hover by itself)
    "Loss and perplexity": "损失与困惑度",
    "The curves appear here once training has logged its first steps.": "训练记录下最初几步后，曲线就会出现在这里。",
    "optimizer step": "优化器步数",
    "loss (nats / token)": "损失（奈特 / 词元）",
    "train loss (raw)": "训练损失（原始）",
    "train loss": "训练损失",
    "val loss": "验证损失",
    "val perplexity": "验证困惑度",
    "step %{x}": "第 %{x} 步",
    "train loss %{y:.4f}": "训练损失 %{y:.4f}",
    "val loss %{y:.4f}": "验证损失 %{y:.4f}",
    "val perplexity %{y:.1f}": "验证困惑度 %{y:.1f}",
    "Runs compared": "训练记录对比",
    "Pick runs above to overlay their curves.": "在上方选择训练记录，叠加它们的曲线。",
    "wall time (minutes)": "实际用时（分钟）",
    "optimizer step %{x:,.4~g}": "优化器步数 %{x:,.4~g}",
    "tokens seen %{x:,.4~g}": "已见词元数 %{x:,.4~g}",
    "wall time (minutes) %{x:,.4~g}": "实际用时（分钟）%{x:,.4~g}",
    "epoch %{x:,.4~g}": "轮数 %{x:,.4~g}",
    "Tokens per document": "每篇文档的词元数",
    "Tokens per line": "每行的词元数",
    "tokens per document": "每篇文档的词元数",
    "tokens per line": "每行的词元数",
    "documents": "文档数",
    "No examples yet.": "还没有样本。",
    "%{x} tokens: %{y} documents": "%{x} 个词元：%{y} 篇文档",
    "%{x} tokens: %{y} lines": "%{x} 个词元：%{y} 行",
    "Next-token distribution, knob by knob": "下一个词元的分布，逐个旋钮",
    "one probability scale for every stage": "所有阶段共用同一个概率刻度",
    "Press “Show distribution” to see the next-token distribution.": "点击“显示分布”，查看下一个词元的分布。",
    "raw softmax": "原始 softmax",
    "repetition penalty": "重复惩罚",
    "no-repeat n-gram": "禁止重复 n-gram",
    "temperature": "温度",
    "final": "最终",
    "kept": "保留",
    "cut": "剪掉",
    "cut — shown at the probability it had before": "剪掉——按它被剪掉之前的概率显示",
    "kept (renormalised)": "保留（重新归一化）",
    "cut (its p before the cut)": "剪掉（被剪掉之前的 p）",
    "p before this stage": "这一阶段之前的 p",
    "before this stage %{customdata[0]:.3%}": "这一阶段之前 %{customdata[0]:.3%}",
    "after %{customdata[1]:.3%}": "之后 %{customdata[1]:.3%}",
    "%{y}: %{x:.3%} before this stage": "%{y}：这一阶段之前为 %{x:.3%}",
    "Press “Sample” to draw tokens.": "点击“采样”抽取词元。",
    "(other tokens)": "（其他词元）",
    "(all other tokens)": "（其他所有词元）",
    "sampled": "抽样结果",
    "expected (draws × p)": "期望（抽样次数 × p）",
    "%{x}: drawn %{y:,}": "%{x}：抽中 %{y:,} 次",
    "%{x}: expected %{y:,.1f}": "%{x}：期望 %{y:,.1f} 次",
    "Press “Show distribution”, then move the temperature slider.": "点击“显示分布”，再拖动温度滑块。",
    "greedy: all on the top token": "贪心：全部概率都在最高的词元上",
    "probability": "概率",
    "Decoding strategies compared": "解码策略对比",
    "Press “Compare” to run every strategy.": "点击“对比各种策略”，运行每一种策略。",
    "diversity": "多样性",
    "(higher = more varied)": "（越高 = 越多样）",
    "under the model": "（在模型下）",
    "%{x}: perplexity %{y:.2f}": "%{x}：困惑度 %{y:.2f}",
    "Surprisal of each token": "每个词元的惊奇度",
    "Surprisal of each token given the ones before it": "给定前文时每个词元的惊奇度",
    "Press “Evaluate” to score the text.": "点击“评估”给文本打分。",
    "surprisal (nats)": "惊奇度（奈特）",
    "token position": "词元位置",
    "drag the slider below to zoom": "拖动下方的滑块可以缩放",
    "%{y:.2f} nats": "%{y:.2f} 奈特",
    "%{y:.2f} nats (mean)": "%{y:.2f} 奈特（平均）",
    "Attention weights": "注意力权重",
    "Press “Look inside” to see the attention weights.": "点击“看看内部”，查看注意力权重。",
    "looked at (key)": "被关注的词元（key）",
    "looking (query)": "关注者（query）",
    "weight": "权重",
    "%{y} looks at %{x}: %{z:.1%}": "%{y} 关注 %{x}：%{z:.1%}",
    "Who looks at whom": "谁在关注谁",
    "Press “Look inside” to see the attention lines.": "点击“看看内部”，查看注意力连线。",
    "%{text} (looking)": "%{text}（关注者）",
    "%{customdata} (looked at)": "%{customdata}（被关注）",
    "Logit lens": "Logit 透镜",
    "Press “Look inside” to see the logit lens.": "点击“看看内部”，查看 logit 透镜。",
    "the top next token read after every block (ln_f, then the LM head)": "每个模块之后读出的最可能的下一个词元（先 ln_f，再语言模型头）",
    "input token (the lens predicts what follows it)": "输入词元（透镜预测它后面的词元）",
    "top p": "最高 p",
    "embeddings": "嵌入层",
    "Beam search, step by step": "束搜索，一步一步",
    "Press “Beam tree” to run beam search.": "点击“束搜索树”，运行束搜索。",
    "labels: token and cumulative log-prob": "标签：词元和累计对数概率",
    "step (new token)": "步数（新词元）",
    "prompt": "提示词",
    "kept: continues as a beam": "保留：作为一个束继续",
    "final beam (what generate returns)": "最终的束（generate 返回的结果）",
    "finished (ended), not among the final beams": "已完成（已结束），但不在最终的束中",
    "stopped: could no longer win": "已停止：不可能再胜出",
    "pruned": "被剪枝",
    "log p(token) %{customdata[1]:.3f} · cumulative %{customdata[2]:.3f}": "log p(词元) %{customdata[1]:.3f} · 累计 %{customdata[2]:.3f}",
    "finished, then pushed out by better finished beams": "已完成，之后被更好的已完成束挤掉",
    "still running when beam search stopped: it could no longer beat the finished beams":
        "束搜索停止时仍在进行：它已不可能胜过已完成的束",
}

# The engine's error sentences (PlaygroundError, playground/*.py), as str.format templates: each {field} stands for a
# value (a file name, a number, a list) and is kept as it is. Compiled into PATTERNS below; tests/ui/test_i18n.py
# reads every sentence the engine can raise from the source and fails on one without its Chinese here.
SENTENCES: list[tuple[str, str]] = [
    # corpus files and settings (playground.corpus)
    ("The seed must be a whole number from 0 to {max} (2**32 - 1), not {seed}.",
     "随机种子必须是 0 到 {max}（2**32 - 1）之间的整数，而不是 {seed}。"),
    ("Unknown example mode '{mode}'; use 'blocks' or 'lines'.", "未知的样本模式“{mode}”；请使用 'blocks' 或 'lines'。"),
    ("Validation fraction must be in (0, 0.5], not {value}.", "验证集比例必须在 (0, 0.5] 之内，而不是 {value}。"),
    ("The file '{name}' looks like UTF-16 text without a byte-order mark; re-save it as UTF-8 (or UTF-16 with a BOM).",
     "文件“{name}”看起来是没有字节顺序标记（BOM）的 UTF-16 文本；请另存为 UTF-8（或带 BOM 的 UTF-16）。"),
    ("'{path}' is a folder, not a file; pass the files inside it (for example {folder}/*.txt).",
     "“{path}”是文件夹而不是文件；请给出其中的文件（例如 {folder}/*.txt）。"),
    ("The file '{path}' does not exist; check the path.", "文件“{path}”不存在；请检查路径。"),
    ("The file '{name}' is not valid {encoding} (byte {offset}); re-save it as UTF-8 text.",
     "文件“{name}”不是有效的 {encoding}（第 {offset} 个字节）；请另存为 UTF-8 文本。"),
    ("The file '{name}' ends in the middle of a character; re-save it as UTF-8 text.",
     "文件“{name}”在一个字符的中间结束；请另存为 UTF-8 文本。"),
    ("'{name}' has no column '{field}'; its columns are: {columns}.", "“{name}”没有“{field}”这一列；它的列是：{columns}。"),
    ("'{name}' has no text column; name one of {columns} as the text field.",
     "“{name}”没有文本列；请从 {columns} 中指定一列作为文本列。"),
    ("Line {number} of '{name}' is not valid JSON ({error} at column {column}); fix or remove that line.",
     "“{name}”的第 {number} 行不是有效的 JSON（第 {column} 列：{error}）；请修正或删除这一行。"),
    ("Line {number} of '{name}' is a JSON {kind}, not an object with a text field; write one object per line, like "
     "{{\"text\": \"...\"}}.",
     "“{name}”的第 {number} 行是一个 JSON {kind}，而不是带文本字段的对象；请每行写一个对象，例如 {{\"text\": \"...\"}}。"),
    ("'{name}' is not valid JSON ({error} at line {line}, column {column}); fix the file or save it as JSON Lines.",
     "“{name}”不是有效的 JSON（第 {line} 行第 {column} 列：{error}）；请修正文件，或另存为 JSON Lines。"),
    ("'{name}' must be a list of objects with a text field, like [{{\"text\": \"...\"}}].",
     "“{name}”必须是带文本字段的对象列表，例如 [{{\"text\": \"...\"}}]。"),
    ("'{name}' holds no list of records; write a list of objects like [{{\"text\": \"...\"}}] or one object per line "
     "(JSON Lines).", "“{name}”中没有记录列表；请写成对象列表，例如 [{{\"text\": \"...\"}}]，或每行一个对象（JSON Lines）。"),
    ("Could not read '{name}' as {kind}: {error}", "无法把“{name}”当作 {kind} 读取：{error}"),
    ("No corpus file given; upload or name at least one text file.", "没有给出语料文件；请上传或指定至少一个文本文件。"),
    ("The corpus holds no text: every document in it is blank; add some text.", "语料中没有文本：每篇文档都是空的；请添加一些文本。"),
    ("The corpus holds no text: every record in it is blank; add some text.", "语料中没有文本：每条记录都是空的；请添加一些文本。"),
    ("The corpus has {n} tokens, too short for a train and a validation block of {block} tokens; add text or choose a "
     "block size of at most {most}.",
     "语料只有 {n} 个词元，不够组成一个训练块和一个验证块（每块 {block} 个词元）；请添加文本，或把块大小设为不超过 {most}。"),
    ("The corpus is shorter than one block of {block} tokens; choose a smaller block size.",
     "语料比一个块（{block} 个词元）还短；请选择更小的块大小。"),
    ("Line-by-line mode needs at least two non-blank lines or records; add text.", "逐行模式至少需要两行（或两条记录）非空文本；请添加文本。"),
    # decoding, generation, evaluation, internals
    ("The model produces non-finite values (NaN or infinity) instead of probabilities, so its weights are broken; "
     "retrain it (a lower learning rate usually helps) or pick another model.",
     "模型输出的是非有限值（NaN 或无穷大）而不是概率，说明它的权重已损坏；请重新训练（调低学习率通常有用），或选择另一个模型。"),
    ("The number of samples must be between 1 and {max}, not {n}.", "抽样次数必须在 1 到 {max} 之间，而不是 {n}。"),
    ("top-n must be at least 1, not {n}.", "top-n 至少为 1，而不是 {n}。"),
    ("Token id {id} is not in this model's vocabulary of {n} tokens.", "词元 id {id} 不在这个模型的词表（{n} 个词元）中。"),
    ("Stride must be between 1 and the model's context ({context}), not {stride}.",
     "步幅必须在 1 和模型的上下文长度（{context}）之间，而不是 {stride}。"),
    ("The text to evaluate is empty; paste or upload some text.", "要评估的文本是空的；请粘贴或上传一些文本。"),
    ("{n} new tokens leave no room for a prompt in this model's {context}-token context; ask for fewer new tokens.",
     "{n} 个新词元占满了这个模型 {context} 个词元的上下文，没有留给提示词的位置；请减少新词元数。"),
    ("Streaming shows one sequence as it is sampled: use 1 beam and 1 returned sequence, or generate without streaming.",
     "流式输出只能边采样边显示一个序列：请使用 1 个束、返回 1 个序列，或者不用流式输出来生成。"),
    ("There is no sequence {i}; the result has {n}.", "没有第 {i} 个序列；结果中只有 {n} 个。"),
    ("Position {i} is outside the generated text (0 to {n}).", "位置 {i} 超出了生成的文本（0 到 {n}）。"),
    ("The Internals tab reads GPT-2's layout (transformer.h, transformer.ln_f); this model is a {kind}.",
     "“模型内部”标签页读取的是 GPT-2 的结构（transformer.h、transformer.ln_f）；这个模型是 {kind}。"),
    ("Layer must be between 1 and {n}, not {layer}.", "层必须在 1 到 {n} 之间，而不是 {layer}。"),
    ("Head must be between 1 and {n}, not {head}.", "注意力头必须在 1 到 {n} 之间，而不是 {head}。"),
    ("The beam tree shows 2 to {max} beams, not {n}.", "束搜索树显示 2 到 {max} 个束，而不是 {n}。"),
    ("The beam tree shows 1 to {max} steps, not {n}.", "束搜索树显示 1 到 {max} 步，而不是 {n}。"),
    # decoding knobs (playground.knobs)
    ("{name} must be a whole number, not {value}.", "{name} 必须是整数，而不是 {value}。"),
    ("{name} must be a finite number, not {value}.", "{name} 必须是有限的数，而不是 {value}。"),
    ("no-repeat-ngram size must be 0 (off) or more, not {n}.", "禁止重复的 n-gram 长度必须大于或等于 0（0 = 关闭），而不是 {n}。"),
    ("Number of beams must be between 1 and {max}, not {n}.", "束数必须在 1 到 {max} 之间，而不是 {n}。"),
    ("Number of returned sequences must be between 1 and {max}, not {n}.", "返回的序列数必须在 1 到 {max} 之间，而不是 {n}。"),
    ("Stop texts must be non-empty strings.", "停止文本必须是非空字符串。"),
    # models, tokenizers, runs, saving
    ("Unknown from-scratch size '{size}'; choose one of {sizes}.", "未知的从零训练规模“{size}”；请从 {sizes} 中选择。"),
    ("The bundled demo model is missing from {folder}; reinstall the playground.", "内置的演示模型不在 {folder} 中；请重新安装本演练场。"),
    ("The folder '{name}' holds no model (no config.json); pick a folder written by training or save_pretrained.",
     "文件夹“{name}”里没有模型（没有 config.json）；请选择由训练或 save_pretrained 写出的文件夹。"),
    ("Unknown model '{name}': use one of {names} or a folder holding a GPT-2 checkpoint.",
     "未知的模型“{name}”：请使用 {names} 之一，或一个存有 GPT-2 检查点的文件夹。"),
    ("Cannot download '{name}': the Hugging Face Hub is unreachable and the model is not in the local cache; connect to "
     "the internet once (it is then cached), or pass a local model folder.",
     "无法下载“{name}”：连不上 Hugging Face Hub，本地缓存中也没有这个模型；请联网一次（之后就会缓存下来），或者给出本地模型文件夹。"),
    ("Could not load the model '{name}': {error}", "无法加载模型“{name}”：{error}"),
    ("The weights file of the model '{name}' is damaged or incomplete ({error}); download or save the model again.",
     "模型“{name}”的权重文件已损坏或不完整（{error}）；请重新下载或保存这个模型。"),
    ("The model '{name}' has non-finite weights (NaN or infinity), so every output would be NaN; retrain it (a lower "
     "learning rate usually helps) or pick another model.",
     "模型“{name}”的权重中有非有限值（NaN 或无穷大），所以每个输出都会是 NaN；请重新训练（调低学习率通常有用），或选择另一个模型。"),
    ("Unknown precision '{precision}'; use auto, fp32, fp16 or bf16.", "未知的精度“{precision}”；请使用 auto、fp32、fp16 或 bf16。"),
    ("fp16 mixed precision needs a CUDA GPU; use fp32 (or auto) on this machine.", "fp16 混合精度需要 CUDA GPU；在这台机器上请使用 fp32（或 auto）。"),
    ("A BPE vocabulary needs at least 258 tokens (256 bytes + <|endoftext|>), not {n}; choose a larger size such as "
     "bpe:2000.", "BPE 词表至少需要 258 个词元（256 个字节 + <|endoftext|>），而不是 {n}；请选择更大的规模，例如 bpe:2000。"),
    ("Unknown tokenizer '{spec}'; use 'gpt2' or 'bpe:VOCAB' (for example bpe:4000).",
     "未知的分词器“{spec}”；请使用 'gpt2' 或 'bpe:词表大小'（例如 bpe:4000）。"),
    ("There is no run called '{name}' any more; refresh the list.", "已经没有名为“{name}”的训练记录了；请刷新列表。"),
    ("'{name}' has no finished model to download yet; wait for it to be saved.", "“{name}”还没有可以下载的完成模型；请等它保存完毕。"),
    ("'{name}' is not a training run; nothing was deleted.", "“{name}”不是一次训练记录；没有删除任何东西。"),
    ("'{name}' is still training; stop it first, then delete it.", "“{name}”仍在训练；请先停止它，再删除。"),
    ("Cannot write to the output folder '{folder}' ({error}); choose a writable folder.", "无法写入输出文件夹“{folder}”（{error}）；请选择一个可写的文件夹。"),
    # training settings and runs (playground.train_config, train_plan, training)
    ("Choose exactly one of a pretrained model (--model) or a from-scratch size (--scratch).",
     "请在预训练模型（--model）和从零训练的规模（--scratch）之中只选一个。"),
    ("A pretrained model keeps its own tokenizer; --tokenizer applies only with --scratch.",
     "预训练模型使用它自带的分词器；--tokenizer 只在 --scratch 时有效。"),
    ("LoRA adapts a pretrained model; train from scratch without --lora.", "LoRA 用于调整预训练模型；从零训练时请不要加 --lora。"),
    ("No corpus file given; pass at least one --corpus FILE.", "没有给出语料文件；请至少传入一个 --corpus 文件。"),
    ("No output folder given; pass --output DIR.", "没有给出输出文件夹；请传入 --output 文件夹。"),
    ("Learning rate must be a positive number, not {lr}.", "学习率必须是正数，而不是 {lr}。"),
    ("Batch size must be at least 1, not {n}.", "批大小至少为 1，而不是 {n}。"),
    ("Gradient accumulation must be at least 1, not {n}.", "梯度累积至少为 1，而不是 {n}。"),
    ("Unknown schedule '{name}'; use linear, cosine, constant or wsd.", "未知的学习率调度“{name}”；请使用 linear、cosine、constant 或 wsd。"),
    ("Unknown optimizer '{name}'; use adamw or muon.", "未知的优化器“{name}”；请使用 adamw 或 muon。"),
    ("Muon is for training from scratch (--scratch); fine-tune a pretrained model with --optimizer adamw.",
     "Muon 用于从零训练（--scratch）；微调预训练模型请用 --optimizer adamw。"),
    ("--muon-lr applies only with --optimizer muon.", "--muon-lr 只在 --optimizer muon 时有效。"),
    ("Muon's learning rate must be a positive number, not {lr}.", "Muon 的学习率必须是正数，而不是 {lr}。"),
    ("Warm-up steps cannot be negative ({n}).", "预热步数不能为负（{n}）。"),
    ("Weight decay cannot be negative ({value}).", "权重衰减不能为负（{value}）。"),
    ("Gradient clipping norm cannot be negative ({value}).", "梯度裁剪范数不能为负（{value}）。"),
    ("Epochs must be a number above 0 and at most {max}, not {n}.", "训练轮数必须大于 0 且不超过 {max}，而不是 {n}。"),
    ("Max steps must be between 1 and {max} (for a longer run use a time budget), not {n}.",
     "最大步数必须在 1 到 {max} 之间（训练更久请用时间预算），而不是 {n}。"),
    ("The time budget must be positive, not {n} minutes.", "时间预算必须是正数，而不是 {n} 分钟。"),
    ("Evaluate-every must be at least 1 step, not {n}.", "评估间隔至少为 1 步，而不是 {n}。"),
    ("Block size must be at least 8 tokens, not {n}.", "块大小至少为 8 个词元，而不是 {n}。"),
    ("Stride must be at least 1, not {n}.", "步幅至少为 1，而不是 {n}。"),
    ("Dropout must be in [0, 1), not {value}.", "Dropout 必须在 [0, 1) 之内，而不是 {value}。"),
    ("LoRA rank must be at least 1, not {n}.", "LoRA 的秩至少为 1，而不是 {n}。"),
    ("Stride {stride} is larger than the block size {block}; choose at most {most}.", "步幅 {stride} 大于块大小 {block}；请选择不超过 {most} 的值。"),
    ("The output path '{out}' is a file; choose a folder.", "输出路径“{out}”是一个文件；请选择文件夹。"),
    ("The output folder '{out}' holds a run with a checkpoint at step {step}; pass --resume to continue it or choose a "
     "new folder.", "输出文件夹“{out}”里有一次训练，检查点在第 {step} 步；请加 --resume 继续它，或选择新的文件夹。"),
    ("The run in '{out}' finished without a checkpoint to resume from; train into a new folder instead.",
     "“{out}”中的训练已经结束，没有可以继续的检查点；请改为训练到新的文件夹。"),
    ("The output folder '{out}' is not empty; pass --resume to continue that run or choose a new folder.",
     "输出文件夹“{out}”不是空的；请加 --resume 继续那次训练，或选择新的文件夹。"),
    ("Batch size {batch} is more than the corpus's {n} training examples; choose at most {most}, or a smaller block size.",
     "批大小 {batch} 超过了语料的 {n} 个训练样本；请选择不超过 {most} 的值，或更小的块大小。"),
    ("This training job has already been started; make a new job to train again.", "这个训练任务已经启动过了；要再次训练，请新建一个任务。"),
    ("Training diverged at step {step} (the loss became {loss}); lower the learning rate (now {lr}) or the weight decay "
     "(now {wd}) and train again.",
     "训练在第 {step} 步发散（损失变成了 {loss}）；请调低学习率（当前为 {lr}）或权重衰减（当前为 {wd}），再重新训练。"),
    ("Training failed: {error}", "训练失败：{error}"),
    ("Interrupted before the model was saved; resume from the last checkpoint.", "模型保存之前就被中断了；请从最后一个检查点继续训练。"),
    # hosted limits (playground.limits)
    ("PLAYGROUND_SIZES names unknown sizes ({names}); use {sizes}.", "PLAYGROUND_SIZES 中有未知的规模（{names}）；请使用 {sizes}。"),
    ("The hosted limit {name} must be positive, not {value}.", "托管限制 {name} 必须是正数，而不是 {value}。"),
    ("This shared app trains from scratch only {sizes}; choose one of those (or run the playground on your own machine "
     "for '{size}').", "这个共享应用只能从零训练 {sizes}；请从中选择（要训练“{size}”，请在你自己的机器上运行本演练场）。"),
    ("This shared app fine-tunes only {models} or a model trained in this session; '{model}' is too large for it.",
     "这个共享应用只能微调 {models} 或本次会话训练的模型；“{model}”对它来说太大了。"),
    ("A step of {n} tokens (batch × accumulation × block) is more than this shared app's {max}; lower the batch size or "
     "the block size.", "每步 {n} 个词元（批大小 × 梯度累积 × 块大小）超过了这个共享应用的上限 {max}；请调低批大小或块大小。"),
    ("The text has {n} characters; this shared app scores at most {max} at a time — evaluate a shorter excerpt.",
     "文本有 {n} 个字符；这个共享应用一次最多评估 {max} 个——请评估更短的片段。"),
    ("This shared app's disk budget ({mb} MB) is used up by other sessions' files; try again in a few minutes, when idle "
     "sessions are cleared.", "这个共享应用的磁盘预算（{mb} MB）已被其他会话的文件用完；请过几分钟、空闲会话被清理后再试。"),
    # the Hub and trackers (playground.hub, playground.tracking, playground.dataset_corpus; issue 21)
    ("'{name}' has no finished model to push yet; wait for it to be saved.", "“{name}”还没有训练完成的模型可以推送；请等它保存后再试。"),
    ("Cannot push without a Hugging Face token; set HF_TOKEN or log in with `hf auth login` (on a Space, sign in with the "
     "Hugging Face button).", "没有 Hugging Face 令牌无法推送；请设置 HF_TOKEN 或用 `hf auth login` 登录（在 Space 上，请用 Hugging Face 按钮登录）。"),
    ("'{repo}' is not a Hub repository name; use letters, digits, '-', '_' and '.', as 'my-model' or 'user/my-model'.",
     "“{repo}”不是合法的 Hub 仓库名；请只用字母、数字、'-'、'_' 和 '.'，例如 'my-model' 或 'user/my-model'。"),
    ("Cannot push: HF_HUB_OFFLINE is set, so nothing may reach the Hugging Face Hub; unset it and try again.",
     "无法推送：已设置 HF_HUB_OFFLINE，不允许访问 Hugging Face Hub；请取消该设置后再试。"),
    ("Cannot push: the Hugging Face Hub did not answer within {s} s; check the internet connection and try again.",
     "无法推送：Hugging Face Hub 在 {s} 秒内没有响应；请检查网络连接后再试。"),
    ("'{name}' is not one of your runs; you can push only the runs you trained.", "“{name}”不是你的训练；你只能推送自己训练的模型。"),
    ("The Hub refused the token for '{repo}' (HTTP {status}); use a token with write access to that namespace.",
     "Hub 拒绝了用于“{repo}”的令牌（HTTP {status}）；请使用对该命名空间有写权限的令牌。"),
    ("The Hub refused the push to '{repo}': {reason}", "Hub 拒绝了向“{repo}”的推送：{reason}"),
    ("The push to '{repo}' failed: {error}; check the connection and try again.", "向“{repo}”的推送失败：{error}；请检查网络连接后再试。"),
    ("Unknown tracker '{name}'; use none, trackio, tensorboard or wandb.", "未知的跟踪工具“{name}”；请使用 none、trackio、tensorboard 或 wandb。"),
    ("Reporting to {name} needs the {package} package, which is not installed; install it (pip install {pip}) or report to none.",
     "向 {name} 报告需要 {package} 包，但它没有安装；请安装它（pip install {pip}），或选择 none。"),
]


# (English as a regular expression over the whole string, Chinese with \1… for its groups)
PATTERNS: list[tuple[str, str]] = [
    # the UI's own error sentences that name what was wrong
    (r"Dropout must be a number such as 0\.1, or blank for the default, not '(.*)'\.",
     r"Dropout 必须是数字（例如 0.1），留空则用默认值，而不是“\1”。"),
    (r"Temperatures must be numbers separated by commas, like 0\.3, 1, 1\.5 — not '(.*)'\.",
     r"温度必须是用逗号分隔的数字，例如 0.3, 1, 1.5——而不是“\1”。"),
    (r"(.+) has no saved model yet \((.+)\); resume it to train and save one\.",
     r"\1 还没有保存的模型（\2）；继续训练它，就会训练并保存一个。"),
    (r"(.+) has no saved model yet \((.+)\); train it again\.", r"\1 还没有保存的模型（\2）；请重新训练。"),
    (r"(.+) is training right now; follow it on the Train tab\.", r"\1 正在训练；请在“训练”标签页查看。"),
    (r"(.+) has no checkpoint to resume from; start a new run on the Train tab\.",
     r"\1 没有可以继续的检查点；请在“训练”标签页开始新的训练。"),
    (r"(.+) already finished all its steps; to train it further, fine-tune it \(Use this model, then Fine-tune on "
     r"the Train tab\)\.", r"\1 已经完成了全部步数；要继续训练，请微调它（先点“使用这个模型”，再在“训练”标签页选择微调）。"),
    (r"(.+) recorded no settings to resume with; run its CLI command instead\.",
     r"\1 没有记录可用于继续训练的设置；请改用它的命令行命令。"),
    (r"Unknown corpus '(.+)'\.", r"未知的语料“\1”。"),
    # the engine's sentences a student meets most (decoding knobs, corpus settings); any other stays English
    (r"max new tokens must be between 1 and (\d+), not (.+)\.", r"最多生成的新词元数必须在 1 到 \1 之间，而不是 \2。"),
    (r"Temperature must be 0 \(greedy\) or more, not (.+)\.", r"温度必须大于或等于 0（0 = 贪心），而不是 \1。"),
    (r"top-k must be 0 \(off\) or a positive number of tokens, not (.+)\.", r"top-k 必须是 0（关闭）或正整数个词元，而不是 \1。"),
    (r"top-p must be above 0 and at most 1 \(1 turns it off\), not (.+)\.", r"top-p 必须大于 0 且不超过 1（1 = 关闭），而不是 \1。"),
    (r"min-p must be between 0 \(off\) and 1, not (.+)\.", r"min-p 必须在 0（关闭）和 1 之间，而不是 \1。"),
    (r"typical-p must be above 0 and at most 1 \(1 turns it off\), not (.+)\.",
     r"typical-p 必须大于 0 且不超过 1（1 = 关闭），而不是 \1。"),
    (r"Repetition penalty must be above 0 \(1 turns it off\), not (.+)\.", r"重复惩罚必须大于 0（1 = 关闭），而不是 \1。"),
    (r"Beam search is deterministic: set temperature to 0 with (\d+) beams \(beam sampling is not offered\)\.",
     r"束搜索是确定性的：使用 \1 个束时请把温度设为 0（不提供束采样）。"),
    (r"Beam search can return at most one sequence per beam: ask for (\d+) or fewer sequences, or use more beams\.",
     r"束搜索每个束最多返回一个序列：请把序列数设为 \1 或更少，或者增加束数。"),
    (r"Greedy decoding always gives the same text: return 1 sequence, or sample \(temperature above 0\), or use beams\.",
     r"贪心解码总是给出同样的文本：只返回 1 个序列，或者采样（温度大于 0），或者使用束搜索。"),
    (r"Seed must be a whole number, or blank for a random one, not '(.*)'\.", r"随机种子必须是整数，留空则随机，而不是“\1”。"),
    (r"Stride must be between 1 and the block size \((\d+)\), not (.+)\.", r"步幅必须在 1 和块大小（\1）之间，而不是 \2。"),
    (r"Block size must be at least 2 tokens, not (.+)\.", r"块大小至少为 2 个词元，而不是 \1。"),
    (r"The corpus is shorter than one block of (\d+) tokens; choose a smaller block size\.",
     r"语料比一个块（\1 个词元）还短；请选择更小的块大小。"),
    (r"The validation file is shorter than one block of (\d+) tokens; choose a smaller block size\.",
     r"验证文件比一个块（\1 个词元）还短；请选择更小的块大小。"),
    (r"The file '(.+)' looks binary, not text; save it as UTF-8 plain text\.", r"文件“\1”看起来是二进制文件而不是文本；请另存为 UTF-8 纯文本。"),
    (r"The file '(.+)' is empty; choose a file with some text in it\.", r"文件“\1”是空的；请选择有文本内容的文件。"),
    (r"The corpus is empty after cleaning; turn off some cleaning options or add text\.",
     r"清洗之后语料为空；请关掉一些清洗选项，或者添加文本。"),
    (r"Block size (\d+) is above the model's context of (\d+) tokens; choose at most (\d+)\.",
     r"块大小 \1 超过了模型 \2 个词元的上下文长度；请选择不超过 \3 的值。"),
    (r"Choose a model first\.", r"请先选择一个模型。"),
    (r"'(.+)' is not available here; choose a model from the list\.", r"这里不能使用“\1”；请从列表中选择一个模型。"),
    # charts (playground.charts): lines of titles, legends and hover text built from numbers and names
    (r"(.+) · train", r"\1 · 训练"),
    (r"(.+) · val", r"\1 · 验证"),
    (r"([\d,]+) documents, mean ([\d,.]+)", r"\1 篇文档，平均 \2"),
    (r"([\d,]+) lines, mean ([\d,.]+)", r"\1 行，平均 \2"),
    (r"block size (\d+)", r"块大小 \1"),
    (r"([\d,]+) kept", r"保留 \1 个"),
    (r"([\d,]+) kept · ×([\d.]+)", r"保留 \1 个 · ×\2"),
    (r"([\d.]+) nats ≈ ([\d,.]+) choices", r"\1 奈特 ≈ \2 个选择"),
    (r"([\d,]+) draws from the final distribution", r"从最终分布中抽样 \1 次"),
    (r"([\d,]+) draws from the final distribution \(seed (\d+)\)", r"从最终分布中抽样 \1 次（种子 \2）"),
    (r"\(seed (\d+)\)", r"（种子 \1）"),
    (r"the (\d+) tokens shown got ([\d.]+%) of the draws", r"图中 \1 个词元得到了 \2 的抽样"),
    (r"the (\d+) tokens shown got ([\d.]+%) of the draws;", r"图中 \1 个词元得到了 \2 的抽样；"),
    (r"([\d,]+) draws on ([\d,]+) other tokens \(expected ([\d,]+)\)", r"\1 次落在其他 \2 个词元上（期望 \3 次）"),
    (r"([\d,]+) draws on other tokens \(expected ([\d,]+)\)", r"\1 次落在其他词元上（期望 \2 次）"),
    (r"Temperature ([\d.]+) on the raw logits", r"温度 \1 下的原始 logits"),
    (r"T = (\S+) \(([\d.]+) nats ≈ ([\d,.]+) choices\)", r"T = \1（\2 奈特 ≈ \3 个选择）"),
    (r"all ([\d,]+) tokens", r"全部 \1 个词元"),
    (r"([\d,]+) tokens: the mean of ([\d,]+) windows of ([\d,]+)", r"\1 个词元：\2 个窗口（每个 \3 个词元）的平均值"),
    (r"tokens ([\d,]+)–([\d,]+)", r"第 \1–\2 个词元"),
    (r"most surprising: (.*) \(([\d.]+) nats\)", r"最出人意料：\1（\2 奈特）"),
    (r"layer (\d+), head (\d+)", r"第 \1 层，第 \2 个注意力头"),
    (r"layer (\d+), mean of the (\d+) heads", r"第 \1 层，\2 个注意力头的平均"),
    (r"token (\d+) only", r"只看第 \1 个词元"),
    (r"after block (\d+)", r"第 \1 个模块之后"),
    (r"embeddings, after “(.*)”", r"嵌入层，在“\1”之后"),
    (r"after block (\d+), after “(.*)”", r"第 \1 个模块之后，在“\2”之后"),
    (r"real next token (.*): ([\d.]+%)", r"实际的下一个词元 \1：\2"),
    (r"Beam search with (\d+) beams after “(.*)”", r"束数为 \1 的束搜索，接在“\2”之后"),
    # the beam tree's reasons (playground.internals.beam_tree), on hover
    (r"ranked (\d+) of (\d+): one of the (\d+) beams that continue", r"在 \2 个候选中排第 \1：是继续下去的 \3 个束之一"),
    (r"ranked (\d+) of the (\d+) candidates; only the (\d+) best unfinished ones continue",
     r"在 \2 个候选中排第 \1；只有最好的 \3 个未完成候选继续"),
    (r"ended with the end-of-text token (.+); joins the finished beams with score (\S+)",
     r"以文本结束符 \1 结束；以得分 \2 加入已完成的束"),
    (r"reached the length limit; joins the finished beams with score (\S+)", r"达到长度上限；以得分 \1 加入已完成的束"),
    (r"ended with the end-of-text token (.+), but ranked (\d+), below the top (\d+)",
     r"以文本结束符 \1 结束，但只排第 \2，不在前 \3 名之内"),
    (r"reached the length limit, but ranked (\d+), below the top (\d+)", r"达到长度上限，但只排第 \1，不在前 \2 名之内"),
    (r"ended with the end-of-text token (.+), but (\d+) finished beams already score higher",
     r"以文本结束符 \1 结束，但已有 \2 个已完成的束得分更高"),
    (r"reached the length limit, but (\d+) finished beams already score higher", r"达到长度上限，但已有 \1 个已完成的束得分更高"),
    (r"final beam (\d+): score (.+)", r"第 \1 个最终束：得分 \2"),
    # the line under the model selector
    (r"Default: (.+), chosen at launch\.", r"默认：\1，启动时指定。"),
    (r"Using gpt2 \(124M\) from the local Hugging Face cache\.", r"使用本地 Hugging Face 缓存中的 gpt2（124M）。"),
    (r"Using gpt2 \(124M\) from the Hugging Face Hub \(downloaded once, about 500 MB\)\.",
     r"使用 Hugging Face Hub 上的 gpt2（124M）（只下载一次，约 500 MB）。"),
    (r"Using the bundled demo model \(Shakespeare, trained from scratch\): gpt2 is not in the local Hugging Face cache "
     r"and HF_HUB_OFFLINE is set\.",
     r"使用内置的演示模型（在莎士比亚上从零训练）：本地 Hugging Face 缓存中没有 gpt2，且设置了 HF_HUB_OFFLINE。"),
    (r"Using the bundled demo model \(Shakespeare, trained from scratch\): gpt2 is not in the local Hugging Face cache "
     r"and the Hub did not answer within ([\d.]+) s\.",
     r"使用内置的演示模型（在莎士比亚上从零训练）：本地 Hugging Face 缓存中没有 gpt2，且 Hub 在 \1 秒内没有响应。"),
    (r"⚠ (.+) Choose another model in the list\.", r"⚠ \1 请在列表中选择另一个模型。"),
    # the Train tab's estimate (playground.estimate's describe(), one " · " piece at a time)
    (r"≈ ([\d,.]+) tokens/s on this (\w+)", r"在这台 \2 上约 \1 词元/秒"),
    (r"([\d,]+) tokens a step", r"每步 \1 个词元"),
    (r"([\d,]+) steps ≈ ([\d.]+ (?:s|min|h))", r"\1 步 ≈ \2"),
    (r"the time budget ≈ ([\d.]+ (?:s|min|h)) \(the time budget ends it\)", r"时间预算 ≈ \1（由时间预算结束训练）"),
    (r"the time budget ≈ ([\d.]+ (?:s|min|h))", r"时间预算 ≈ \1"),
    # the Evaluate tab's line under the scores (evaluate.scored_line)
    (r"Scored the text box: all ([\d,]+) tokens are coloured; the chart shows every token\.",
     r"已评估文本框中的文本：全部 \1 个词元都已着色；图表显示每个词元。"),
    (r"Scored the text box: the coloured tokens are the first ([\d,]+) of ([\d,]+); the chart shows every token\.",
     r"已评估文本框中的文本：着色的是 \2 个词元中的前 \1 个；图表显示每个词元。"),
    (r"Scored the file (.+) \(the text box is ignored while a file is attached\): all ([\d,]+) tokens are coloured; "
     r"the chart shows every token\.", r"已评估文件 \1（附有文件时忽略文本框）：全部 \2 个词元都已着色；图表显示每个词元。"),
    (r"Scored the file (.+) \(the text box is ignored while a file is attached\): the coloured tokens are the first "
     r"([\d,]+) of ([\d,]+); the chart shows every token\.",
     r"已评估文件 \1（附有文件时忽略文本框）：着色的是 \3 个词元中的前 \2 个；图表显示每个词元。"),
    # what a share link asked for and could not get (playground.ui.share)
    (r"model '(.+)' is not available here, so the page keeps (.+)\.", r"模型“\1”在这里不可用，页面保留 \2。"),
    (r"tab '(.+)' is not one of (.+)\.", r"标签页“\1”不是 \2 之一。"),
    (r"the prompt is longer than ([\d,]+) characters\.", r"提示词超过了 \1 个字符。"),
    (r"the (.+) tab has no (.+) knob\.", r"“\1”标签页没有 \2 这个旋钮。"),
    (r"(.+) (\S+) is outside its slider \((\S+) to (\S+)\)\.", r"\1 \2 超出了滑块的范围（\3 到 \4）。"),
    (r"(.+) must be a number, not '(.*)'\.", r"\1 必须是数字，而不是“\2”。"),
    # names in lists
    (r"(.+) \(bundled\)", r"\1（内置）"),
    (r"(.+) \(Hub\)", r"\1（Hub）"),
    (r"(.+) \(trained here\)", r"\1（本次会话训练）"),
    (r"(.+) \(run\)", r"\1（训练记录）"),
    (r"(\w+) — (\d+) layers × (\d+) wide, ([\d.]+) M weights \+ embeddings", r"\1 — \2 层 × \3 宽，\4 M 权重 + 嵌入"),
    (r"All training runs: every run in `(.+)`\. Pick one to use its model, download it, resume it or delete it; "
     r"pick several below to overlay their curves\.",
     r"所有训练记录：`\1` 中的每一次训练。选一条可以使用它的模型、下载、继续训练或删除；在下方选几条可以叠加它们的曲线。"),
    (r"All training runs: this session's runs \(removed when it ends\)\. Pick one to use its model, download it, "
     r"resume it or delete it; pick several below to overlay their curves\.",
     r"所有训练记录：本次会话的训练（会话结束时删除）。选一条可以使用它的模型、下载、继续训练或删除；在下方选几条可以叠加它们的曲线。"),
]


def _pattern(english: str, chinese: str) -> tuple[str, str]:
    """A SENTENCES pair as a PATTERNS pair: the English escaped, each {field} a group (a repeated one must repeat)."""
    regex, seen = "", set()
    for text, field, _, _ in string.Formatter().parse(english):
        regex += re.escape(text)
        if field is not None:
            regex += f"(?P={field})" if field in seen else f"(?P<{field}>.+)"
            seen.add(field)
    chinese = chinese.replace("\\", "\\\\").replace("{{", "\0").replace("}}", "\1")
    chinese = re.sub(r"\{(\w+)\}", r"\\g<\1>", chinese).replace("\0", "{").replace("\1", "}")
    return regex, chinese


PATTERNS += [_pattern(english, chinese) for english, chinese in SENTENCES]
