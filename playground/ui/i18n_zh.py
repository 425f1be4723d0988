"""Simplified Chinese for every string of the UI, keyed by its English (see playground.ui.i18n).

`ZH` holds whole strings: the static text of the tabs and the templates (`{name}` fields, str.format) of
what the handlers write. `PATTERNS` translates strings the UI builds from names and numbers (a model's
label, a size's description, the engine's common sentences): a regular expression over the whole English
string and its Chinese replacement. Terms follow Chinese ML teaching: 词元 (token), 温度, 采样, 束搜索,
困惑度, 分词器, 语料, 微调, 验证集.
"""

from __future__ import annotations

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
}

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
