<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ActivationsPanel</name>
    <message>
        <source>In eval() mode, as here, Dropout passes everything through; in train() it zeroes a random fraction p of its inputs and scales the rest by 1/(1-p).</source>
        <translation>在 eval() 模式下（比如这里），Dropout 让所有输入原样通过；在 train() 模式下，它会随机把比例为 p 的输入置为 0，并把其余的乘以 1/(1-p)。</translation>
    </message>
    <message>
        <source>In eval() mode, as here, Dropout2d passes everything through; in train() it zeroes whole channels at random.</source>
        <translation>在 eval() 模式下（比如这里），Dropout2d 让所有输入原样通过；在 train() 模式下，它会随机把整个通道置为 0。</translation>
    </message>
    <message>
        <source>In eval() mode, as here, BatchNorm uses the running mean and variance it saw in training (its buffers); in train() it normalises with the current batch&apos;s statistics.</source>
        <translation>在 eval() 模式下（比如这里），BatchNorm 使用训练时累计的均值和方差（它的 buffer）；在 train() 模式下，它用当前批次的统计量做归一化。</translation>
    </message>
    <message>
        <source>Activations</source>
        <translation>激活值</translation>
    </message>
    <message>
        <source>Filters</source>
        <translation>卷积核</translation>
    </message>
    <message>
        <source>Numbers</source>
        <translation>数值</translation>
    </message>
    <message>
        <source>{name} is the block&apos;s input: what {instance} receives.</source>
        <translation>{name} 是块的输入：即 {instance} 收到的内容。</translation>
    </message>
    <message>
        <source>Input: the picture as the model receives it (normalised like the training data).</source>
        <translation>输入：模型实际收到的图片（和训练数据一样做过归一化）。</translation>
    </message>
    <message>
        <source>Draw a digit on the pad to see it here.</source>
        <translation>在画板上写一个数字，它就会显示在这里。</translation>
    </message>
    <message>
        <source>{name} is not part of the model: wire it into the chain.</source>
        <translation>{name} 不在模型里：请把它连进这条链。</translation>
    </message>
    <message>
        <source>No output: this block is not on the model path.</source>
        <translation>没有输出：这个块不在模型的路径上。</translation>
    </message>
    <message>
        <source>Select a block on the canvas to see what it makes of your drawing.</source>
        <translation>在画布上选择一个块，看看它把你画的图变成了什么。</translation>
    </message>
    <message>
        <source>Draw a digit on the pad to see each layer&apos;s output.</source>
        <translation>在画板上写一个数字，就能看到每一层的输出。</translation>
    </message>
    <message>
        <source>The model cannot run yet: {problem}</source>
        <translation>模型暂时还不能运行：{problem}</translation>
    </message>
    <message>
        <source>No outputs to show.</source>
        <translation>没有可显示的输出。</translation>
    </message>
    <message>
        <source>No output recorded for this block.</source>
        <translation>这个块没有记录到输出。</translation>
    </message>
    <message>
        <source>{name} · {type} · output {shape}</source>
        <translation>{name} · {type} · 输出 {shape}</translation>
    </message>
    <message>
        <source>(inferred {shape})</source>
        <translation>（推断为 {shape}）</translation>
    </message>
    <message>
        <source>(select a block on the canvas to see its output)</source>
        <translation>（在画布上选择一个块即可看到它的输出）</translation>
    </message>
    <message>
        <source>Select a Conv2d block to see its learned filters (one row per output channel, one column per input channel; blue positive, red negative).</source>
        <translation>选择一个 Conv2d 块，查看它学到的卷积核（每行一个输出通道，每列一个输入通道；蓝色为正，红色为负）。</translation>
    </message>
    <message>
        <source>{count} filters of {inputs} × {height}×{width} (learned); blue positive, red negative.</source>
        <translation>{count} 个卷积核，每个 {inputs} × {height}×{width}（已学习）；蓝色为正，红色为负。</translation>
    </message>
    <message>
        <source>{count} filters of {inputs} × {height}×{width} (random, untrained); blue positive, red negative.</source>
        <translation>{count} 个卷积核，每个 {inputs} × {height}×{width}（随机、未训练）；蓝色为正，红色为负。</translation>
    </message>
    <message>
        <source>Model mode: {mode}. It matters here: {kinds} behave differently in training. In eval() Dropout lets everything through and BatchNorm uses its running statistics.</source>
        <translation>模型模式：{mode}。这在这里有影响：{kinds} 在训练时的行为不同。在 eval() 下，Dropout 让所有输入通过，BatchNorm 使用累计的统计量。</translation>
    </message>
    <message>
        <source>Model mode: {mode} (no layer of this model behaves differently in train mode).</source>
        <translation>模型模式：{mode}（这个模型中没有在 train 模式下行为不同的层）。</translation>
    </message>
</context>
<context>
    <name>AugmentPreview</name>
    <message>
        <source>New samples</source>
        <translation>换一批样本</translation>
    </message>
    <message>
        <source>Other samples, changed at random again</source>
        <translation>换一批样本，并重新随机变换</translation>
    </message>
    <message>
        <source>Stored</source>
        <translation>原图</translation>
    </message>
    <message>
        <source>Augmented</source>
        <translation>增强后</translation>
    </message>
    <message>
        <source>A new draw every batch; the held-out pictures are never changed.</source>
        <translation>训练时每个批次都会重新随机变换；验证集图片从不变换。</translation>
    </message>
</context>
<context>
    <name>Autosaver</name>
    <message>
        <source>“{name}” (never saved)</source>
        <translation>“{name}”（从未保存）</translation>
    </message>
    <message>
        <source>Restore unsaved work?</source>
        <translation>恢复未保存的工作？</translation>
    </message>
    <message>
        <source>NetDesigner did not close properly last time.

Restore the unsaved changes to {what}, autosaved at {when}?

No keeps them as a project file in {folder} (listed under File ▸ Open Recent).</source>
        <translation>NetDesigner 上次没有正常关闭。

要恢复对 {what} 的未保存更改吗？（自动保存于 {when}）

选“否”会把它们另存为项目文件，放在 {folder}（列在“文件 ▸ 最近打开”中）。</translation>
    </message>
    <message>
        <source>The unsaved work could not be kept as a project ({error}); it stays in {file}</source>
        <translation>未保存的工作无法另存为项目（{error}）；它仍保留在 {file}</translation>
    </message>
    <message>
        <source>The unsaved work was kept in {file} (File ▸ Open Recent)</source>
        <translation>未保存的工作已保存在 {file}（文件 ▸ 最近打开）</translation>
    </message>
    <message>
        <source>The restored weights came after the project changed: the unsaved work was kept in {file} (File ▸ Open Recent)</source>
        <translation>恢复的权重读完时项目已经改变：未保存的工作已保存在 {file}（文件 ▸ 最近打开）</translation>
    </message>
</context>
<context>
    <name>BlockActions</name>
    <message>
        <source>Make &amp;Block…</source>
        <translation>生成块(&amp;B)…</translation>
    </message>
    <message>
        <source>&amp;Unpack Block</source>
        <translation>拆开块(&amp;U)</translation>
    </message>
    <message>
        <source>Make Block U&amp;nique</source>
        <translation>让块独立(&amp;N)</translation>
    </message>
    <message>
        <source>Make Block</source>
        <translation>生成块</translation>
    </message>
    <message>
        <source>Name of the new block (it becomes a class in the exported code):</source>
        <translation>新块的名称（导出的代码中它成为一个类）：</translation>
    </message>
    <message>
        <source>Cannot make a block: {reason}</source>
        <translation>无法生成块：{reason}</translation>
    </message>
    <message>
        <source>Block {name} made: double-click it to see inside.</source>
        <translation>已生成块 {name}：双击它查看内部。</translation>
    </message>
    <message>
        <source>Select one block to unpack.</source>
        <translation>请选择一个要拆开的块。</translation>
    </message>
    <message>
        <source>Unpack Block</source>
        <translation>拆开块</translation>
    </message>
    <message>
        <source>Cannot unpack: {reason}</source>
        <translation>无法拆开：{reason}</translation>
    </message>
    <message>
        <source>Make Block Unique</source>
        <translation>让块独立</translation>
    </message>
    <message>
        <source>Cannot make it unique: {reason}</source>
        <translation>无法让它独立：{reason}</translation>
    </message>
    <message>
        <source>This block now has its own definition, {name}.</source>
        <translation>这个块现在有了自己的定义：{name}。</translation>
    </message>
</context>
<context>
    <name>Breadcrumb</name>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>(Esc leaves; edits change every instance)</source>
        <translation>（按 Esc 离开；这里的修改会改变每一个实例）</translation>
    </message>
    <message>
        <source>Inside a block: the shapes are those of the block you entered through.</source>
        <translation>在块内部：显示的形状来自你进入时经过的那个块。</translation>
    </message>
</context>
<context>
    <name>CanvasScene</name>
    <message>
        <source>Problem:</source>
        <translation>问题：</translation>
    </message>
    <message>
        <source>in {input} → out {output}</source>
        <translation>输入 {input} → 输出 {output}</translation>
    </message>
    <message>
        <source>out {output}</source>
        <translation>输出 {output}</translation>
    </message>
    <message>
        <source>{count} params</source>
        <translation>{count} 个参数</translation>
    </message>
    <message>
        <source>{count} mult-adds</source>
        <translation>{count} 次乘加</translation>
    </message>
</context>
<context>
    <name>CanvasView</name>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Cannot paste: {error}</source>
        <translation>无法粘贴：{error}</translation>
    </message>
    <message>
        <source>Duplicate</source>
        <translation>制作副本</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Cut</source>
        <translation>剪切</translation>
    </message>
    <message>
        <source>Disconnect</source>
        <translation>断开连线</translation>
    </message>
    <message>
        <source>Insert layer here</source>
        <translation>在此插入层</translation>
    </message>
    <message>
        <source>Paste</source>
        <translation>粘贴</translation>
    </message>
    <message>
        <source>Select all</source>
        <translation>全选</translation>
    </message>
    <message>
        <source>Fit to view</source>
        <translation>适合窗口</translation>
    </message>
</context>
<context>
    <name>ChallengePanel</name>
    <message>
        <source>Hand In…</source>
        <translation>提交作业…</translation>
    </message>
    <message>
        <source>No challenge open</source>
        <translation>没有打开挑战</translation>
    </message>
    <message>
        <source>File ▸ Open Challenge… opens the one your teacher handed out; its goals are ticked here as you build and train.</source>
        <translation>“文件 ▸ 打开挑战…”打开老师发的挑战；搭建和训练时，它的目标会在这里逐项打勾。</translation>
    </message>
    <message>
        <source>Every goal is met. Hand it in when you are ready.</source>
        <translation>所有目标都已达成。准备好了就提交吧。</translation>
    </message>
    <message>
        <source>Your last run trained on another dataset; the accuracy goal is measured on {dataset}.</source>
        <translation>上次训练用的是另一个数据集；准确率目标是在 {dataset} 上测量的。</translation>
    </message>
    <message>
        <source>{met} of {total} goals met.</source>
        <translation>已达成 {met}/{total} 个目标。</translation>
    </message>
    <message>
        <source>Hand In</source>
        <translation>提交作业</translation>
    </message>
    <message>
        <source>Train the model first: a hand-in carries the trained weights, and the teacher measures their accuracy.</source>
        <translation>请先训练模型：提交文件带有训练好的权重，老师会测量它们的准确率。</translation>
    </message>
    <message>
        <source>Your name:</source>
        <translation>你的名字：</translation>
    </message>
    <message>
        <source>Hand in as</source>
        <translation>提交为</translation>
    </message>
    <message>
        <source>Hand-in files (*.handin.zip)</source>
        <translation>提交文件 (*.handin.zip)</translation>
    </message>
    <message>
        <source>Handed in: {file}</source>
        <translation>已提交：{file}</translation>
    </message>
    <message>
        <source>The hand-in was not written: {reason}</source>
        <translation>没有写出提交文件：{reason}</translation>
    </message>
    <message>
        <source>Open challenge</source>
        <translation>打开挑战</translation>
    </message>
    <message>
        <source>Challenges (*.netchallenge.json);;All files (*)</source>
        <translation>挑战 (*.netchallenge.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Open C&amp;hallenge…</source>
        <translation>打开挑战(&amp;H)…</translation>
    </message>
    <message>
        <source>Han&amp;d In…</source>
        <translation>提交作业(&amp;D)…</translation>
    </message>
</context>
<context>
    <name>CodeView</name>
    <message>
        <source>(the code below is from before)</source>
        <translation>（下面的代码是出错之前的）</translation>
    </message>
    <message>
        <source>Export as a Jupyter notebook</source>
        <translation>导出为 Jupyter 笔记本</translation>
    </message>
    <message>
        <source>Jupyter notebooks (*.ipynb)</source>
        <translation>Jupyter 笔记本 (*.ipynb)</translation>
    </message>
    <message>
        <source>Export notebook</source>
        <translation>导出笔记本</translation>
    </message>
    <message>
        <source>{file} could not be written: {error}</source>
        <translation>无法写入 {file}：{error}</translation>
    </message>
    <message>
        <source>Wrote {file}: run it top to bottom in Jupyter.</source>
        <translation>已写入 {file}：在 Jupyter 中从上到下依次运行即可。</translation>
    </message>
    <message>
        <source>Export Note&amp;book…</source>
        <translation>导出笔记本(&amp;B)…</translation>
    </message>
    <message>
        <source>Write the model, the data, the training loop and an evaluation as a Jupyter notebook</source>
        <translation>把模型、数据、训练循环和评估写成一个 Jupyter 笔记本</translation>
    </message>
</context>
<context>
    <name>Docks</name>
    <message>
        <source>Layers</source>
        <translation>层</translation>
    </message>
    <message>
        <source>Inspector</source>
        <translation>属性</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>History</source>
        <translation>历史记录</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>Try it</source>
        <translation>试一试</translation>
    </message>
    <message>
        <source>Look inside</source>
        <translation>看看内部</translation>
    </message>
    <message>
        <source>Explain</source>
        <translation>讲解</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>代码</translation>
    </message>
    <message>
        <source>Health</source>
        <translation>健康检查</translation>
    </message>
    <message>
        <source>Lessons</source>
        <translation>课程</translation>
    </message>
    <message>
        <source>Challenge</source>
        <translation>挑战</translation>
    </message>
</context>
<context>
    <name>Document</name>
    <message>
        <source>The Input block cannot be deleted: every model starts from it (change its shape in the inspector).</source>
        <translation>输入块不能删除：每个模型都从它开始（可以在属性面板中修改它的形状）。</translation>
    </message>
    <message>
        <source>Trained weights cleared: the model changed (train again, or undo the change).</source>
        <translation>训练好的权重已清除：模型改变了（请重新训练，或撤销这次更改）。</translation>
    </message>
    <message>
        <source>Trained weights restored: the model is again the one they were trained for.</source>
        <translation>训练好的权重已恢复：模型又是训练它们时的那个模型了。</translation>
    </message>
    <message>
        <source>The model cannot be edited now: {reason}.</source>
        <translation>现在不能编辑模型：{reason}。</translation>
    </message>
    <message>
        <source>training is running</source>
        <translation>正在训练</translation>
    </message>
    <message>
        <source>Add {type}</source>
        <translation>添加 {type}</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Delete {type}</source>
        <translation>删除 {type}</translation>
    </message>
    <message>
        <source>Connect</source>
        <translation>连线</translation>
    </message>
    <message>
        <source>Add Skip Connection</source>
        <translation>添加跳跃连接</translation>
    </message>
    <message>
        <source>Disconnect</source>
        <translation>断开连线</translation>
    </message>
    <message>
        <source>Set {param}</source>
        <translation>设置 {param}</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>重命名</translation>
    </message>
    <message>
        <source>Move</source>
        <translation>移动</translation>
    </message>
    <message>
        <source>this block has no single input to insert before</source>
        <translation>这个块没有唯一的输入，无法在它前面插入</translation>
    </message>
    <message>
        <source>Fix: {label}</source>
        <translation>修复：{label}</translation>
    </message>
    <message>
        <source>Insert {type}</source>
        <translation>插入 {type}</translation>
    </message>
    <message>
        <source>the Input cannot be put on a wire: nothing can feed it</source>
        <translation>输入块不能放到连线上：没有任何东西能给它输入</translation>
    </message>
    <message>
        <source>{node} is already wired; only an unwired block can be dropped on a wire</source>
        <translation>{node} 已经连线；只有未连线的块才能放到连线上</translation>
    </message>
    <message>
        <source>{src} is not connected to {dst}</source>
        <translation>{src} 没有连到 {dst}</translation>
    </message>
    <message>
        <source>Paste</source>
        <translation>粘贴</translation>
    </message>
    <message>
        <source>Auto-layout</source>
        <translation>自动排列</translation>
    </message>
</context>
<context>
    <name>DrawPad</name>
    <message>
        <source>Draw a digit with the mouse. Right-click or Esc clears, Ctrl+Z undoes a stroke;
drop an image file here to classify it.</source>
        <translation>用鼠标写一个数字。右键或 Esc 清除，Ctrl+Z 撤销一笔；
也可以把图像文件拖到这里来分类。</translation>
    </message>
    <message>
        <source>Draw a digit here</source>
        <translation>在这里写一个数字</translation>
    </message>
</context>
<context>
    <name>ErrorReport</name>
    <message>
        <source>NetDesigner: unexpected error</source>
        <translation>NetDesigner：意外错误</translation>
    </message>
    <message>
        <source>Copy details</source>
        <translation>复制详细信息</translation>
    </message>
    <message>
        <source>({count} errors so far.)</source>
        <translation>（到目前为止共 {count} 个错误。）</translation>
    </message>
    <message>
        <source>Details are also in {file}.</source>
        <translation>详细信息也记录在 {file} 中。</translation>
    </message>
    <message>
        <source>Something went wrong: {what}

The window keeps working, but save your project to be safe.</source>
        <translation>出了点问题：{what}

窗口仍可继续使用，但为了安全请保存你的项目。</translation>
    </message>
</context>
<context>
    <name>ExplainerPanel</name>
    <message>
        <source>Step</source>
        <translation>单步</translation>
    </message>
    <message>
        <source>Play</source>
        <translation>播放</translation>
    </message>
    <message>
        <source>Steps per second</source>
        <translation>每秒步数</translation>
    </message>
    <message>
        <source>output channel </source>
        <translation>输出通道 </translation>
    </message>
    <message>
        <source>The input channel to show, or the sum over every channel this output sees</source>
        <translation>要显示的输入通道，或者这个输出看到的所有通道之和</translation>
    </message>
    <message>
        <source>Export GIF…</source>
        <translation>导出 GIF…</translation>
    </message>
    <message>
        <source>What if…</source>
        <translation>假如…</translation>
    </message>
    <message>
        <source>speed</source>
        <translation>速度</translation>
    </message>
    <message>
        <source>Apply to the model</source>
        <translation>应用到模型</translation>
    </message>
    <message>
        <source>Reset</source>
        <translation>重置</translation>
    </message>
    <message>
        <source>&lt;b&gt;What if…&lt;/b&gt; (the model stays as it is until you apply)</source>
        <translation>&lt;b&gt;如果……会怎样&lt;/b&gt;（点“应用”之前模型保持不变）</translation>
    </message>
    <message>
        <source>Select a Conv2d, ConvTranspose2d, MaxPool2d or AvgPool2d block and draw a digit on the pad.</source>
        <translation>选择一个 Conv2d、ConvTranspose2d、MaxPool2d 或 AvgPool2d 块，然后在画板上写一个数字。</translation>
    </message>
    <message>
        <source>Select a Conv2d, ConvTranspose2d, MaxPool2d or AvgPool2d block to see how it computes.</source>
        <translation>选择一个 Conv2d、ConvTranspose2d、MaxPool2d 或 AvgPool2d 块，看看它是怎么计算的。</translation>
    </message>
    <message>
        <source>{name}: draw a digit on the pad to see {type} compute on it.</source>
        <translation>{name}：在画板上写一个数字，看看 {type} 如何对它计算。</translation>
    </message>
    <message>
        <source>{name}: the model cannot run yet: {problem}</source>
        <translation>{name}：模型暂时还不能运行：{problem}</translation>
    </message>
    <message>
        <source>output {shape}</source>
        <translation>输出 {shape}</translation>
    </message>
    <message>
        <source>output {shape} (the model&apos;s: {model_shape})</source>
        <translation>输出 {shape}（模型中的：{model_shape}）</translation>
    </message>
    <message>
        <source>A what-if kernel size has no weights yet: the picture shows where the window goes.</source>
        <translation>假设的 kernel_size 还没有权重：图中只显示窗口滑过的位置。</translation>
    </message>
    <message>
        <source>{name} · {type} on your drawing, trained weights. Step through the output cells, or click one.</source>
        <translation>{name} · {type} 作用在你画的图上，使用训练好的权重。逐个查看输出单元，或者直接点击其中一个。</translation>
    </message>
    <message>
        <source>{name} · {type} on your drawing, untrained (random) weights. Step through the output cells, or click one.</source>
        <translation>{name} · {type} 作用在你画的图上，使用未训练的（随机）权重。逐个查看输出单元，或者直接点击其中一个。</translation>
    </message>
    <message>
        <source>input channels {first}–{last}, summed</source>
        <translation>输入通道 {first}–{last} 之和</translation>
    </message>
    <message>
        <source>input channel {channel}</source>
        <translation>输入通道 {channel}</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>{key} is set by the block&apos;s argument {ref}: change the argument on the instance, at the model&apos;s level.</source>
        <translation>{key} 由块的参数 {ref} 决定：请回到模型这一层，在实例上修改这个参数。</translation>
    </message>
    <message>
        <source>Export the animation as a GIF</source>
        <translation>把动画导出为 GIF</translation>
    </message>
    <message>
        <source>GIF images (*.gif)</source>
        <translation>GIF 图片 (*.gif)</translation>
    </message>
    <message>
        <source>Wrote {file}: 1 frame.</source>
        <translation>已写入 {file}：1 帧。</translation>
    </message>
    <message>
        <source>Wrote {file}: {frames} frames.</source>
        <translation>已写入 {file}：{frames} 帧。</translation>
    </message>
    <message>
        <source>Could not write {file}: {error}</source>
        <translation>无法写入 {file}：{error}</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <source>Class with a step-by-step forward (tutorial style)</source>
        <translation>带逐步 forward 的类（教程风格）</translation>
    </message>
    <message>
        <source>Compact nn.Sequential</source>
        <translation>紧凑的 nn.Sequential</translation>
    </message>
    <message>
        <source>ONNX export needs the onnx and onnxscript packages: pip install &quot;netdesigner[onnx]&quot;</source>
        <translation>导出 ONNX 需要 onnx 和 onnxscript 包：pip install &quot;netdesigner[onnx]&quot;</translation>
    </message>
    <message>
        <source>Export model</source>
        <translation>导出模型</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>State dict</source>
        <translation>State dict（状态字典）</translation>
    </message>
    <message>
        <source>ONNX (.onnx), checked with onnxruntime</source>
        <translation>ONNX（.onnx），用 onnxruntime 检查</translation>
    </message>
    <message>
        <source>(not installed)</source>
        <translation>（未安装）</translation>
    </message>
    <message>
        <source>Training script train.py (MNIST, FashionMNIST or an image folder; runs under torchrun)</source>
        <translation>训练脚本 train.py（MNIST、FashionMNIST 或图片文件夹；可用 torchrun 运行）</translation>
    </message>
    <message>
        <source>Uses the trained weights.</source>
        <translation>使用训练好的权重。</translation>
    </message>
    <message>
        <source>No trained weights yet: exports fresh weights (seed 0).</source>
        <translation>还没有训练好的权重：导出新初始化的权重（随机种子 0）。</translation>
    </message>
    <message>
        <source>Python file</source>
        <translation>Python 文件</translation>
    </message>
    <message>
        <source>Style</source>
        <translation>风格</translation>
    </message>
    <message>
        <source>Weights</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Export model as</source>
        <translation>模型导出为</translation>
    </message>
    <message>
        <source>Python file: choose where to write the model</source>
        <translation>Python 文件：请选择把模型写到哪里</translation>
    </message>
    <message>
        <source>Python file: the folder {folder} does not exist</source>
        <translation>Python 文件：文件夹 {folder} 不存在</translation>
    </message>
    <message>
        <source>Exporting and checking in a fresh Python process…</source>
        <translation>正在导出，并在新的 Python 进程中检查…</translation>
    </message>
    <message>
        <source>Export failed: {error}</source>
        <translation>导出失败：{error}</translation>
    </message>
    <message>
        <source>Written (not checked).</source>
        <translation>已写入（未检查）。</translation>
    </message>
    <message>
        <source>&amp;Export…</source>
        <translation>导出(&amp;E)…</translation>
    </message>
    <message>
        <source>&amp;Import .py…</source>
        <translation>导入 .py(&amp;I)…</translation>
    </message>
</context>
<context>
    <name>FolderCheck</name>
    <message>
        <source>Train the model first: a folder is checked with the trained weights</source>
        <translation>请先训练模型：检查文件夹要用训练好的权重</translation>
    </message>
    <message>
        <source>Run the trained model on a folder of pictures (one sub-folder per class, e.g. the class&apos;s saved drawings) and show its mistakes there</source>
        <translation>用训练好的模型检查一个图片文件夹（每个类别一个子文件夹，例如班级保存的手写图），并显示模型在那里的错误</translation>
    </message>
    <message>
        <source>Check on a folder</source>
        <translation>在文件夹上检查</translation>
    </message>
    <message>
        <source>Checking the model on {folder}…</source>
        <translation>正在用 {folder} 检查模型…</translation>
    </message>
    <message>
        <source>{folder}: {correct} of {total} right ({accuracy:.0%}); {wrong} mistakes, the most confident first. Click one to open it on the Try it pad.</source>
        <translation>{folder}：{total} 张中答对 {correct} 张（{accuracy:.0%}）；{wrong} 个错误，置信度最高的在前。点击一个即可在“试一试”画板上打开。</translation>
    </message>
    <message>
        <source>Not classes of this model, left out: {names}.</source>
        <translation>不是本模型的类别，已略过：{names}。</translation>
    </message>
    <message>
        <source>{count} pictures skipped (unreadable or blank).</source>
        <translation>跳过了 {count} 张图片（无法读取或空白）。</translation>
    </message>
    <message>
        <source>Cannot check that folder: {problem}</source>
        <translation>无法检查该文件夹：{problem}</translation>
    </message>
</context>
<context>
    <name>FolderData</name>
    <message>
        <source>A folder with one sub-folder of pictures per class</source>
        <translation>一个文件夹，每个类别一个装图片的子文件夹</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>选择…</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Read the folder again (after adding, removing or fixing pictures)</source>
        <translation>重新读取文件夹（在添加、删除或修复图片之后）</translation>
    </message>
    <message>
        <source>Choose an image folder</source>
        <translation>选择图片文件夹</translation>
    </message>
    <message>
        <source>Choose a folder: one sub-folder per class, named after it (e.g. cats/, dogs/).</source>
        <translation>请选择一个文件夹：每个类别一个子文件夹，以类别命名（例如 cats/、dogs/）。</translation>
    </message>
    <message>
        <source>Reading {folder}…</source>
        <translation>正在读取 {folder}…</translation>
    </message>
    <message>
        <source>{classes} classes · {train:,} pictures to train on, {held:,} held out ({split})</source>
        <translation>{classes} 个类别 · {train:,} 张图片用于训练，{held:,} 张作为验证集（{split}）</translation>
    </message>
    <message>
        <source>{train:,} pictures to train on, {held:,} held out to test</source>
        <translation>{train:,} 张图片用于训练，{held:,} 张作为验证集</translation>
    </message>
    <message>
        <source>{count} picture(s) could not be read and are left out of training: {files}</source>
        <translation>有 {count} 张图片无法读取，已从训练中略去：{files}</translation>
    </message>
    <message>
        <source>The pictures are in colour, and the Input takes 1 channel: they are turned grey. To keep the colours, set Input → [3, {h}, {w}].</source>
        <translation>图片是彩色的，而输入只有 1 个通道：它们会被转成灰度。要保留颜色，请设置 输入 → [3, {h}, {w}]。</translation>
    </message>
    <message>
        <source>The Input&apos;s shape {shape} cannot take pictures: use [1, H, W] (grey) or [3, H, W] (colour), e.g. [3, 64, 64].</source>
        <translation>Input 的形状 {shape} 不能接收图片：请用 [1, H, W]（灰度）或 [3, H, W]（彩色），例如 [3, 64, 64]。</translation>
    </message>
    <message>
        <source>The model gives {count} scores per picture, but the folder has {classes} classes: it needs one score per class. Fix: out_features → {classes} on the last Linear.</source>
        <translation>模型对每张图片给出 {count} 个分数，但文件夹里有 {classes} 个类别：每个类别需要一个分数。修复：把最后一个 Linear 的 out_features 设为 {classes}。</translation>
    </message>
    <message>
        <source>The model gives an output of shape {shape} per picture, but the folder has {classes} classes: it needs one score per class. Fix: out_features → {classes} on the last Linear.</source>
        <translation>模型对每张图片给出形状为 {shape} 的输出，但文件夹里有 {classes} 个类别：每个类别需要一个分数。修复：把最后一个 Linear 的 out_features 设为 {classes}。</translation>
    </message>
</context>
<context>
    <name>HealthPanel</name>
    <message>
        <source>No warnings: every layer is learning and its units fire.</source>
        <translation>没有警告：每一层都在学习，它的单元也都会激活。</translation>
    </message>
    <message>
        <source>Train the model to see its health here, epoch by epoch.</source>
        <translation>训练模型后，这里会逐轮显示它的健康状况。</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Never fire</source>
        <translation>从不激活</translation>
    </message>
    <message>
        <source>Update / weight</source>
        <translation>更新量 / 权重</translation>
    </message>
    <message>
        <source>Share of a ReLU&apos;s units that output 0 for every held-out sample probed</source>
        <translation>ReLU 中对所有被探测的验证集样本都输出 0 的单元所占的比例</translation>
    </message>
    <message>
        <source>How far the weights moved this epoch, relative to their size</source>
        <translation>这一轮中权重变化了多少（相对于权重本身的大小）</translation>
    </message>
    <message>
        <source>The layer whose output values are shown, one curve per epoch</source>
        <translation>要显示其输出值的层，每一轮一条曲线</translation>
    </message>
    <message>
        <source>output value</source>
        <translation>输出值</translation>
    </message>
    <message>
        <source>count</source>
        <translation>个数</translation>
    </message>
    <message>
        <source>Training: the first report comes after the first epoch.</source>
        <translation>正在训练：第一轮结束后会出现第一份报告。</translation>
    </message>
    <message>
        <source>No warnings. Some units never fire on the held-out set ({layers}): fewer than half of any layer, see the table.</source>
        <translation>没有警告。有些单元在验证集上从不激活（{layers}）：每层都不到一半，见表格。</translation>
    </message>
    <message>
        <source>After epoch {epoch}:</source>
        <translation>第 {epoch} 轮之后：</translation>
    </message>
    <message>
        <source>epoch {epoch}</source>
        <translation>第 {epoch} 轮</translation>
    </message>
</context>
<context>
    <name>HistoryTabs</name>
    <message>
        <source>Runs</source>
        <translation>训练记录</translation>
    </message>
    <message>
        <source>Mistakes</source>
        <translation>错题</translation>
    </message>
    <message>
        <source>The model was edited while the weights were read: load them again.</source>
        <translation>读取权重时模型被修改了：请重新载入。</translation>
    </message>
    <message>
        <source>{run}&apos;s weights do not fit the model as it is now: {report}</source>
        <translation>{run} 的权重与当前的模型不匹配：{report}</translation>
    </message>
    <message>
        <source>The project now has {run}&apos;s best weights: Save keeps them.</source>
        <translation>项目现在使用 {run} 的最佳权重：保存即可保留它们。</translation>
    </message>
    <message>
        <source>The project now has {run}&apos;s best weights (held-out accuracy {accuracy:.1%}): Save keeps them.</source>
        <translation>项目现在使用 {run} 的最佳权重（验证集准确率 {accuracy:.1%}）：保存即可保留它们。</translation>
    </message>
</context>
<context>
    <name>ImportDialog</name>
    <message>
        <source>Importing a .py file runs its Python code on this computer, in a separate process that is stopped after 60 s or 1 MB of output. Only import files you trust.</source>
        <translation>导入 .py 文件会在这台电脑上运行其中的 Python 代码：它在单独的进程中运行，超过 60 秒或输出超过 1 MB 就会被终止。只导入你信任的文件。</translation>
    </message>
    <message>
        <source>{warning} Its protections: {protections}.</source>
        <translation>{warning}该进程的保护措施：{protections}。</translation>
    </message>
    <message>
        <source>Automatic: the model the file makes, else its outermost model class</source>
        <translation>自动：文件创建的模型，否则取最外层的模型类</translation>
    </message>
    <message>
        <source>Import a PyTorch model</source>
        <translation>导入 PyTorch 模型</translation>
    </message>
    <message>
        <source>This system cannot give the file these protections: {protections}.</source>
        <translation>本系统无法为该文件提供以下保护：{protections}。</translation>
    </message>
    <message>
        <source>Run this file anyway, without those protections</source>
        <translation>仍然运行此文件（没有上述保护）</translation>
    </message>
    <message>
        <source>a tutorial script or a NetDesigner export: any .py with an nn.Module</source>
        <translation>教程脚本或 NetDesigner 导出的文件：任何含 nn.Module 的 .py</translation>
    </message>
    <message>
        <source>from the file, else inferred (e.g. 1, 28, 28)</source>
        <translation>取自文件，否则自动推断（例如 1, 28, 28）</translation>
    </message>
    <message>
        <source>optional: a state_dict (.pt or .safetensors) saved from the file&apos;s model</source>
        <translation>可选：从该文件的模型保存的 state_dict（.pt 或 .safetensors）</translation>
    </message>
    <message>
        <source>Python file</source>
        <translation>Python 文件</translation>
    </message>
    <message>
        <source>Python or ONNX (*.py *.onnx)</source>
        <translation>Python 或 ONNX (*.py *.onnx)</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Input shape</source>
        <translation>输入形状</translation>
    </message>
    <message>
        <source>Weights</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>Weights (*.pt *.pth *.safetensors)</source>
        <translation>权重文件 (*.pt *.pth *.safetensors)</translation>
    </message>
    <message>
        <source>Run the file and import</source>
        <translation>运行文件并导入</translation>
    </message>
    <message>
        <source>Open as new project</source>
        <translation>作为新项目打开</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Choose a file</source>
        <translation>选择文件</translation>
    </message>
    <message>
        <source>Import again</source>
        <translation>重新导入</translation>
    </message>
    <message>
        <source>Python file: {path} does not exist</source>
        <translation>Python 文件：{path} 不存在</translation>
    </message>
    <message>
        <source>Weights: {path} does not exist</source>
        <translation>权重：{path} 不存在</translation>
    </message>
    <message>
        <source>Input shape: {problem}</source>
        <translation>输入形状：{problem}</translation>
    </message>
    <message>
        <source>Running {file} in a separate process…</source>
        <translation>正在单独的进程中运行 {file}…</translation>
    </message>
    <message>
        <source>{file}: cannot be checked against this model ({error})</source>
        <translation>{file}：无法与这个模型对照检查（{error}）</translation>
    </message>
    <message>
        <source>The file could not be imported: {error}</source>
        <translation>无法导入该文件：{error}</translation>
    </message>
    <message>
        <source>Weights {file}: {report}</source>
        <translation>权重 {file}：{report}</translation>
    </message>
    <message>
        <source>Imported: check what was found, then open it as a new project (or change the model or the input shape and import again).</source>
        <translation>导入完成：先检查找到的内容，再把它作为新项目打开（或者更改模型或输入形状后重新导入）。</translation>
    </message>
    <message>
        <source>Imported: check what was found, then open it as a new project (or change the model or the input shape and import again). The weights do not fit and will not be loaded.</source>
        <translation>导入完成：先检查找到的内容，再把它作为新项目打开（或者更改模型或输入形状后重新导入）。这些权重与模型不匹配，不会被载入。</translation>
    </message>
    <message>
        <source>{name} ({kind}, line {line})</source>
        <translation>{name}（{kind}，第 {line} 行）</translation>
    </message>
    <message>
        <source>{name} ({kind})</source>
        <translation>{name}（{kind}）</translation>
    </message>
    <message>
        <source>{model} — imported</source>
        <translation>{model} — 已导入</translation>
    </message>
    <message>
        <source>Stop training before opening another project.</source>
        <translation>请先停止训练，再打开其他项目。</translation>
    </message>
</context>
<context>
    <name>Inspector</name>
    <message>
        <source>e.g. 1, 28, 28</source>
        <translation>例如 1, 28, 28</translation>
    </message>
    <message>
        <source>Select a block on the canvas to see and edit its parameters.

Drag layers from the palette on the left, or double-click one to add it after the selected block.</source>
        <translation>在画布上选中一个块，就能查看和编辑它的参数。

从左边的层面板拖动层到画布上，或者双击一个层，把它加在选中的块后面。</translation>
    </message>
    <message>
        <source>A block used {count} times: double-click it on the canvas to edit its layers (that changes every instance).</source>
        <translation>一个使用了 {count} 次的块：在画布上双击它可编辑其中的层（这会改变每一个实例）。</translation>
    </message>
    <message>
        <source>Make Unique</source>
        <translation>让它独立</translation>
    </message>
    <message>
        <source>Give this instance its own copy of the block, to change it alone.</source>
        <translation>给这个实例一份自己的块副本，以便单独修改它。</translation>
    </message>
    <message>
        <source>name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>{ref}: set by the block&apos;s argument in each instance</source>
        <translation>{ref}：由每个实例中块的参数决定</translation>
    </message>
    <message>
        <source>Inputs</source>
        <translation>输入</translation>
    </message>
    <message>
        <source>Input</source>
        <translation>输入</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>&lt;b&gt;Receptive field&lt;/b&gt; {size} input pixels, &lt;b&gt;jump&lt;/b&gt; {jump}</source>
        <translation>&lt;b&gt;感受野&lt;/b&gt; {size} 个输入像素，&lt;b&gt;跳距&lt;/b&gt; {jump}</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数量</translation>
    </message>
    <message>
        <source>Multiply-adds</source>
        <translation>乘加次数</translation>
    </message>
    <message>
        <source>Not connected to the model: wire it into the chain from Input.</source>
        <translation>没有连到模型上：把它连进从输入开始的链中。</translation>
    </message>
    <message>
        <source>Fix: {label}</source>
        <translation>修复：{label}</translation>
    </message>
    <message>
        <source>Make Block Unique</source>
        <translation>让块独立</translation>
    </message>
    <message>
        <source>Make {key} an argument of the block: each instance sets its own value (the current one is the default)</source>
        <translation>把 {key} 变成块的参数：每个实例设置自己的值（当前值为默认值）</translation>
    </message>
    <message>
        <source>Make {key} an Argument</source>
        <translation>把 {key} 变成参数</translation>
    </message>
    <message>
        <source>{key} is now the block&apos;s argument ${name}: set it on each instance.</source>
        <translation>{key} 现在是块的参数 ${name}：在每个实例上设置它。</translation>
    </message>
</context>
<context>
    <name>Language</name>
    <message>
        <source>English</source>
        <translation>英语</translation>
    </message>
    <message>
        <source>Chinese</source>
        <translation>中文</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>NetDesigner will speak {language} from its next start.</source>
        <translation>NetDesigner 下次启动时将使用{language}。</translation>
    </message>
    <message>
        <source>{name} ({native})</source>
        <translation>{name}（{native}）</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Restart Now</source>
        <translation>立即重启</translation>
    </message>
    <message>
        <source>Later</source>
        <translation>以后再说</translation>
    </message>
</context>
<context>
    <name>LessonPanel</name>
    <message>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>Open the lesson&apos;s starting project and begin at its first step</source>
        <translation>打开本课的起始项目，从第一步开始</translation>
    </message>
    <message>
        <source>Your answer</source>
        <translation>你的答案</translation>
    </message>
    <message>
        <source>Check</source>
        <translation>检查</translation>
    </message>
    <message>
        <source>See whether your answer is right</source>
        <translation>看看你的答案对不对</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>上一步</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>下一步</translation>
    </message>
    <message>
        <source>Not yet. Hint: {hint}</source>
        <translation>还不对。提示：{hint}</translation>
    </message>
    <message>
        <source>The lesson stopped here: another project was opened. Start begins it again on its own project.</source>
        <translation>课程停在这里：打开了另一个项目。点“开始”会在课程自己的项目上重新开始。</translation>
    </message>
    <message>
        <source>Well done: you finished “{title}”. Pick the next lesson above.</source>
        <translation>做得好：你完成了“{title}”。在上方选择下一课吧。</translation>
    </message>
    <message>
        <source>&amp;Lessons…</source>
        <translation>课程(&amp;L)…</translation>
    </message>
    <message>
        <source>Follow the tutorial step by step in the app</source>
        <translation>在应用中一步一步跟着教程学</translation>
    </message>
    <message>
        <source>Open &amp;Lesson…</source>
        <translation>打开课程(&amp;L)…</translation>
    </message>
    <message>
        <source>Follow a lesson file a teacher wrote</source>
        <translation>跟着老师编写的课程文件学习</translation>
    </message>
    <message>
        <source>Open Lesson &amp;Folder…</source>
        <translation>打开课程文件夹(&amp;F)…</translation>
    </message>
    <message>
        <source>Add every lesson file in a folder</source>
        <translation>添加一个文件夹中的所有课程文件</translation>
    </message>
    <message>
        <source>Open a folder of lessons</source>
        <translation>打开课程文件夹</translation>
    </message>
    <message>
        <source>Open a lesson</source>
        <translation>打开课程</translation>
    </message>
    <message>
        <source>Lessons (*.json)</source>
        <translation>课程 (*.json)</translation>
    </message>
    <message>
        <source>Cannot open the lesson</source>
        <translation>无法打开课程</translation>
    </message>
</context>
<context>
    <name>Levels</name>
    <message>
        <source>{block}: the instance you entered through is not part of the model.</source>
        <translation>{block}：你进入时经过的实例不在模型中。</translation>
    </message>
    <message>
        <source>{block} is used once: this is {instance}&apos;s.</source>
        <translation>{block} 只使用了一次：这是 {instance} 中的。</translation>
    </message>
    <message>
        <source>{block} is used {count} times ({instances}): shown for {instance}, the instance you entered through.</source>
        <translation>{block} 使用了 {count} 次（{instances}）：这里显示的是 {instance}，即你进入时经过的实例。</translation>
    </message>
</context>
<context>
    <name>LrPreview</name>
    <message>
        <source>planned</source>
        <translation>计划</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Model</source>
        <translation>模型(&amp;M)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>Model summary</source>
        <translation>模型概要</translation>
    </message>
    <message>
        <source>Problems</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>Opened project</source>
        <translation>打开的项目</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <source>NetDesigner projects (*.netproj.json *.json);;All files (*)</source>
        <translation>NetDesigner 项目 (*.netproj.json *.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>New project: {name}</source>
        <translation>新项目：{name}</translation>
    </message>
    <message>
        <source>Open project</source>
        <translation>打开项目</translation>
    </message>
    <message>
        <source>Cannot open project</source>
        <translation>无法打开项目</translation>
    </message>
    <message>
        <source>Could not open {file}:</source>
        <translation>无法打开 {file}：</translation>
    </message>
    <message>
        <source>wider than the window: View ▸ Fit to View (Ctrl+F) shows all of it</source>
        <translation>比窗口宽：视图 ▸ 适合视图（Ctrl+F）可显示全部</translation>
    </message>
    <message>
        <source>wider than the window: Model ▸ Auto-layout (Ctrl+L) wraps it</source>
        <translation>比窗口还宽：模型 ▸ 自动排列（Ctrl+L）可以把它折行</translation>
    </message>
    <message>
        <source>Opened {file}</source>
        <translation>已打开 {file}</translation>
    </message>
    <message>
        <source>Save project as</source>
        <translation>项目另存为</translation>
    </message>
    <message>
        <source>Unsaved changes</source>
        <translation>未保存的更改</translation>
    </message>
    <message>
        <source>Save the changes to “{name}” first?</source>
        <translation>要先保存对“{name}”的更改吗？</translation>
    </message>
    <message>
        <source>Training is running</source>
        <translation>正在训练</translation>
    </message>
    <message>
        <source>A training run is going. Stop it? The weights it has found so far are not kept.</source>
        <translation>训练正在进行。要停止它吗？它到目前为止得到的权重不会保留。</translation>
    </message>
    <message>
        <source>Stop Training</source>
        <translation>停止训练</translation>
    </message>
    <message>
        <source>Output {shape} · {count:,} parameters</source>
        <translation>输出 {shape} · {count:,} 个参数</translation>
    </message>
    <message>
        <source>1 problem: the model cannot run yet</source>
        <translation>1 个问题：模型还不能运行</translation>
    </message>
    <message>
        <source>{count} problems: the model cannot run yet</source>
        <translation>{count} 个问题：模型还不能运行</translation>
    </message>
    <message>
        <source>Trained weights not loaded</source>
        <translation>未载入训练好的权重</translation>
    </message>
    <message>
        <source>Problems ({count})</source>
        <translation>问题（{count}）</translation>
    </message>
    <message>
        <source>Editing is locked: {reason}</source>
        <translation>编辑已锁定：{reason}</translation>
    </message>
    <message>
        <source>training</source>
        <translation>正在训练</translation>
    </message>
    <message>
        <source>Editing is unlocked</source>
        <translation>编辑已解锁</translation>
    </message>
</context>
<context>
    <name>MapGrid</name>
    <message>
        <source>first {shown} of {total} maps</source>
        <translation>前 {shown} 张特征图（共 {total} 张）</translation>
    </message>
</context>
<context>
    <name>MistakesBrowser</name>
    <message>
        <source>After a run, the held-out samples the model gets wrong appear here.</source>
        <translation>训练一次之后，模型在验证集上答错的样本会显示在这里。</translation>
    </message>
    <message>
        <source>Check on a folder…</source>
        <translation>在文件夹上检查…</translation>
    </message>
    <message>
        <source>Run the trained model on a folder of pictures (one sub-folder per class, e.g. the class&apos;s saved drawings) and show its mistakes there</source>
        <translation>用训练好的模型检查一个图片文件夹（每个类别一个子文件夹，例如班级保存的手写图），并显示模型在那里的错误</translation>
    </message>
    <message>
        <source>Held-out sample {index}: a &apos;{true}&apos; the model calls &apos;{predicted}&apos; with {confidence:.1%} confidence. Click to try it.</source>
        <translation>验证集样本 {index}：这是“{true}”，模型却以 {confidence:.1%} 的置信度认为是“{predicted}”。点击即可试一试。</translation>
    </message>
    <message>
        <source>{name}: a &apos;{true}&apos; the model calls &apos;{predicted}&apos; with {confidence:.1%} confidence. Click to try it.</source>
        <translation>{name}：一个“{true}”，模型以 {confidence:.1%} 的置信度认作“{predicted}”。点击试一试。</translation>
    </message>
    <message>
        <source>No mistakes on the held-out set.</source>
        <translation>验证集上没有答错的样本。</translation>
    </message>
    <message>
        <source>{wrong} wrong of {held_out:,} held-out samples, the most confident first. Click one to send it to Try it.</source>
        <translation>{held_out:,} 个验证集样本中答错 {wrong} 个，置信度最高的排在前面。点击一个即可送到“试一试”。</translation>
    </message>
    <message>
        <source>{wrong} wrong, the most confident first. Click one to send it to Try it.</source>
        <translation>答错 {wrong} 个，置信度最高的排在前面。点击一个即可送到“试一试”。</translation>
    </message>
</context>
<context>
    <name>NumbersInput</name>
    <message>
        <source>random</source>
        <translation>随机</translation>
    </message>
    <message>
        <source>Fill the input with random numbers (a standard normal, as torch.randn)</source>
        <translation>用随机数填满输入（标准正态分布，同 torch.randn）</translation>
    </message>
    <message>
        <source>zeros</source>
        <translation>全零</translation>
    </message>
    <message>
        <source>Set every input value to 0</source>
        <translation>把每个输入值设为 0</translation>
    </message>
    <message>
        <source>The Input&apos;s {shape} values, one table per channel: type a number, arrow keys move.</source>
        <translation>输入的 {shape} 个数值，每个通道一张表：输入数字，用方向键移动。</translation>
    </message>
    <message>
        <source>Channel {channel}</source>
        <translation>通道 {channel}</translation>
    </message>
</context>
<context>
    <name>NumbersView</name>
    <message>
        <source>Click a cell of a Conv2d or pool layer to see its sum.</source>
        <translation>点击 Conv2d 或池化层的一个格子，查看它的求和过程。</translation>
    </message>
    <message>
        <source>{name} · {type} · output {shape}</source>
        <translation>{name} · {type} · 输出 {shape}</translation>
    </message>
    <message>
        <source>{name}, channel {channel}</source>
        <translation>{name}，通道 {channel}</translation>
    </message>
    <message>
        <source>{name}, channel {channel}, row {y}, column {x}:</source>
        <translation>{name}，通道 {channel}，第 {y} 行，第 {x} 列：</translation>
    </message>
    <message>
        <source>{terms}
= {total}; + bias {bias} = {result}</source>
        <translation>{terms}
= {total}；+ 偏置 {bias} = {result}</translation>
    </message>
</context>
<context>
    <name>PaddingEditor</name>
    <message>
        <source>numbers</source>
        <translation>数字</translation>
    </message>
    <message>
        <source>&quot;same&quot; keeps height and width (stride 1 only); &quot;valid&quot; means no padding.</source>
        <translation>&quot;same&quot; 保持高和宽不变（仅限步幅为 1）；&quot;valid&quot; 表示不填充。</translation>
    </message>
</context>
<context>
    <name>PairEditor</name>
    <message>
        <source>auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>= : one value for height and width. Click to set them separately (≠).</source>
        <translation>=：高和宽用同一个值。点击可分别设置（≠）。</translation>
    </message>
</context>
<context>
    <name>Palette</name>
    <message>
        <source>Search layers…</source>
        <translation>搜索层…</translation>
    </message>
    <message>
        <source>&lt;b&gt;{name}&lt;/b&gt;: a block of this project, used {count} times</source>
        <translation>&lt;b&gt;{name}&lt;/b&gt;：本项目的块，使用了 {count} 次</translation>
    </message>
</context>
<context>
    <name>Presentation</name>
    <message>
        <source>&amp;Presentation Mode</source>
        <translation>演示模式(&amp;P)</translation>
    </message>
    <message>
        <source>Larger text, blocks and plots for a classroom screen (F5 again to go back)</source>
        <translation>为教室投影放大文字、块和图表（再按 F5 恢复）</translation>
    </message>
    <message>
        <source>Presentation Lar&amp;ger</source>
        <translation>演示放大(&amp;G)</translation>
    </message>
    <message>
        <source>Presentation S&amp;maller</source>
        <translation>演示缩小(&amp;M)</translation>
    </message>
</context>
<context>
    <name>ProblemsList</name>
    <message>
        <source>model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>… and {count} more</source>
        <translation>……还有 {count} 个</translation>
    </message>
</context>
<context>
    <name>QFileDialog</name>
    <message>
        <source>&amp;Look in:</source>
        <translation>查找范围(&amp;L)：</translation>
    </message>
    <message>
        <source>Files of &amp;type:</source>
        <translation>文件类型(&amp;T)：</translation>
    </message>
</context>
<context>
    <name>ReceptivePanel</name>
    <message>
        <source>Hover over a feature map to see which input pixels a cell sees.</source>
        <translation>把鼠标悬停在特征图上，即可看到一个单元看到的是哪些输入像素。</translation>
    </message>
    <message>
        <source>{name}&apos;s cells no longer map to places in the picture.</source>
        <translation>{name} 的单元已不再对应图片中的位置。</translation>
    </message>
    <message>
        <source>{name} cell ({row}, {column}) sees rows {top}–{bottom}, columns {left}–{right} of the input ({rows}×{cols} pixels; receptive field {height}×{width}).</source>
        <translation>{name} 的单元 ({row}, {column}) 看到输入的第 {top}–{bottom} 行、第 {left}–{right} 列（{rows}×{cols} 个像素；感受野 {height}×{width}）。</translation>
    </message>
</context>
<context>
    <name>RunHistory</name>
    <message>
        <source>Select two runs (Ctrl+click) to compare their curves and settings</source>
        <translation>选择两次训练（Ctrl+点击），比较它们的曲线和设置</translation>
    </message>
    <message>
        <source>Use these weights</source>
        <translation>使用这组权重</translation>
    </message>
    <message>
        <source>Make the selected run&apos;s best weights the project&apos;s</source>
        <translation>把所选训练的最佳权重设为项目的权重</translation>
    </message>
    <message>
        <source>Continue run</source>
        <translation>继续训练</translation>
    </message>
    <message>
        <source>Carry on from the selected run&apos;s last checkpoint, with its own settings</source>
        <translation>从所选训练的最后一个检查点接着训练，沿用它自己的设置</translation>
    </message>
    <message>
        <source>Held-out loss</source>
        <translation>验证集损失</translation>
    </message>
    <message>
        <source>epoch</source>
        <translation>轮次</translation>
    </message>
    <message>
        <source>Held-out accuracy</source>
        <translation>验证集准确率</translation>
    </message>
    <message>
        <source>Save the project to keep a history of its runs beside it.</source>
        <translation>保存项目后，它的训练历史会保存在项目旁边。</translation>
    </message>
    <message>
        <source>No runs yet: each run is recorded in {folder}/.</source>
        <translation>还没有训练记录：每次训练都会记录在 {folder}/ 中。</translation>
    </message>
</context>
<context>
    <name>RunOptions</name>
    <message>
        <source>constant</source>
        <translation>不变</translation>
    </message>
    <message>
        <source>step</source>
        <translation>分步</translation>
    </message>
    <message>
        <source>cosine</source>
        <translation>余弦</translation>
    </message>
    <message>
        <source>one-cycle</source>
        <translation>单周期</translation>
    </message>
    <message>
        <source>The same learning rate from the first batch to the last</source>
        <translation>从第一个批次到最后一个批次，学习率保持不变</translation>
    </message>
    <message>
        <source>Multiplied by the factor every few epochs</source>
        <translation>每隔几轮乘以一个系数</translation>
    </message>
    <message>
        <source>Down to zero along half a cosine over the run</source>
        <translation>在整个训练过程中沿半个余弦曲线降到 0</translation>
    </message>
    <message>
        <source>Up to the learning rate over the first 30% of the run, then far below it</source>
        <translation>在训练的前 30% 升到设定的学习率，之后降到远低于它</translation>
    </message>
    <message>
        <source>off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Stop when the held-out loss has not improved for this many epochs (the best weights are kept)</source>
        <translation>验证集损失连续这么多轮没有改善就停止训练（保留最佳权重）</translation>
    </message>
    <message>
        <source>Augment training pictures</source>
        <translation>数据增强（训练图片）</translation>
    </message>
    <message>
        <source>Random small changes to every training batch (the held-out set is never changed)</source>
        <translation>对每个训练批次做随机的小改动（验证集永远不变）</translation>
    </message>
    <message>
        <source>Mirror</source>
        <translation>镜像翻转</translation>
    </message>
    <message>
        <source>every</source>
        <translation>每</translation>
    </message>
    <message>
        <source>epochs ×</source>
        <translation>轮 ×</translation>
    </message>
    <message>
        <source>LR schedule</source>
        <translation>学习率调度</translation>
    </message>
    <message>
        <source>Early stop after</source>
        <translation>早停轮数</translation>
    </message>
    <message>
        <source>Shift</source>
        <translation>平移</translation>
    </message>
    <message>
        <source>Rotate (°)</source>
        <translation>旋转（°）</translation>
    </message>
    <message>
        <source>Zoom</source>
        <translation>缩放</translation>
    </message>
    <message>
        <source>Colour</source>
        <translation>颜色</translation>
    </message>
    <message>
        <source>A mirrored digit is not a digit: off for digits</source>
        <translation>镜像翻转后的数字就不是数字了：数字数据集不能使用</translation>
    </message>
    <message>
        <source>Mirror left-right half the time</source>
        <translation>一半的概率左右翻转</translation>
    </message>
</context>
<context>
    <name>SaveDrawingDialog</name>
    <message>
        <source>Save Drawing As</source>
        <translation>把画保存为</translation>
    </message>
    <message>
        <source>a folder for the class&apos;s drawings</source>
        <translation>存放全班手写数字的文件夹</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Folder:</source>
        <translation>文件夹：</translation>
    </message>
    <message>
        <source>Class:</source>
        <translation>类别：</translation>
    </message>
    <message>
        <source>Folder for the drawings</source>
        <translation>保存画的文件夹</translation>
    </message>
    <message>
        <source>Choose a folder and a class.</source>
        <translation>请选择文件夹和类别。</translation>
    </message>
    <message>
        <source>{count} drawings of “{name}” so far.</source>
        <translation>“{name}”类目前已有 {count} 张画。</translation>
    </message>
    <message>
        <source>the picture could not be written</source>
        <translation>无法写入图片</translation>
    </message>
    <message>
        <source>The drawing was not saved: {reason}</source>
        <translation>画没有保存：{reason}</translation>
    </message>
    <message>
        <source>Saved {file} in class “{name}” ({folder}).</source>
        <translation>已把 {file} 保存到“{name}”类（{folder}）。</translation>
    </message>
    <message>
        <source>Save Drawing As…</source>
        <translation>把画保存为…</translation>
    </message>
    <message>
        <source>Save the drawing into a class folder (3/, 7/…): your class&apos;s own digits to train on</source>
        <translation>把画保存到类别文件夹（3/、7/…）：用全班自己的手写数字来训练</translation>
    </message>
    <message>
        <source>More: save the drawing into a class folder</source>
        <translation>更多：把画保存到类别文件夹</translation>
    </message>
</context>
<context>
    <name>Saver</name>
    <message>
        <source>Saving {file}…</source>
        <translation>正在保存 {file}…</translation>
    </message>
    <message>
        <source>Saved {file}</source>
        <translation>已保存 {file}</translation>
    </message>
    <message>
        <source>Cannot save</source>
        <translation>无法保存</translation>
    </message>
    <message>
        <source>Could not save {file}:</source>
        <translation>无法保存 {file}：</translation>
    </message>
</context>
<context>
    <name>StateTree</name>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Shape</source>
        <translation>形状</translation>
    </message>
    <message>
        <source>Values</source>
        <translation>数值个数</translation>
    </message>
    <message>
        <source>Trainable</source>
        <translation>可训练</translation>
    </message>
    <message>
        <source>Parameters: learned by the optimizer</source>
        <translation>参数（parameter）：由优化器学习</translation>
    </message>
    <message>
        <source>Buffers: saved state, not learned (e.g. BatchNorm running mean)</source>
        <translation>缓冲区（buffer）：保存的状态，不参与学习（例如 BatchNorm 的 running mean）</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
</context>
<context>
    <name>SummaryModel</name>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Output shape</source>
        <translation>输出形状</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数量</translation>
    </message>
    <message>
        <source>Multiply-adds</source>
        <translation>乘加次数</translation>
    </message>
    <message>
        <source>error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <source>1 layer</source>
        <translation>1 层</translation>
    </message>
    <message>
        <source>{count} layers</source>
        <translation>{count} 层</translation>
    </message>
</context>
<context>
    <name>TrainingCurves</name>
    <message>
        <source>step</source>
        <translation>步数</translation>
    </message>
    <message>
        <source>epoch</source>
        <translation>轮次</translation>
    </message>
    <message>
        <source>training</source>
        <translation>训练集</translation>
    </message>
    <message>
        <source>held-out</source>
        <translation>验证集</translation>
    </message>
    <message>
        <source>Batch loss</source>
        <translation>批次损失</translation>
    </message>
    <message>
        <source>batch</source>
        <translation>批次</translation>
    </message>
    <message>
        <source>smoothed</source>
        <translation>平滑后</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>Loss per epoch</source>
        <translation>每轮损失</translation>
    </message>
    <message>
        <source>Accuracy</source>
        <translation>准确率</translation>
    </message>
    <message>
        <source>Gradient norm per layer</source>
        <translation>每层的梯度范数</translation>
    </message>
    <message>
        <source>Curves</source>
        <translation>曲线</translation>
    </message>
    <message>
        <source>Gradients</source>
        <translation>梯度</translation>
    </message>
    <message>
        <source>Rows: the true class. Columns: what the model answered (held-out set).</source>
        <translation>行：真实类别。列：模型的回答（验证集）。</translation>
    </message>
    <message>
        <source>true {name}</source>
        <translation>真实 {name}</translation>
    </message>
    <message>
        <source>{count} of {total} held-out &apos;{true}&apos; answered as &apos;{answer}&apos;</source>
        <translation>验证集中 {total} 个“{true}”里有 {count} 个被答成“{answer}”</translation>
    </message>
</context>
<context>
    <name>TrainingForm</name>
    <message>
        <source>Your own pictures: a folder with one sub-folder per class</source>
        <translation>你自己的图片：一个文件夹，每个类别一个子文件夹</translation>
    </message>
    <message>
        <source>Learning rate: how big each step is. Too big and the loss explodes; too small and it crawls.</source>
        <translation>学习率：每一步迈多大。太大损失会爆炸，太小则进展缓慢。</translation>
    </message>
    <message>
        <source>Continue from trained weights</source>
        <translation>从训练好的权重继续</translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Epochs</source>
        <translation>轮数</translation>
    </message>
    <message>
        <source>Batch size</source>
        <translation>批大小</translation>
    </message>
    <message>
        <source>Optimizer</source>
        <translation>优化器</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>Momentum</source>
        <translation>动量</translation>
    </message>
    <message>
        <source>Weight decay</source>
        <translation>权重衰减</translation>
    </message>
    <message>
        <source>Loss</source>
        <translation>损失函数</translation>
    </message>
    <message>
        <source>Initialisation</source>
        <translation>初始化</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <source>The project&apos;s training settings were not usable ({error}); using the defaults.</source>
        <translation>项目中的训练设置无法使用（{error}）；改用默认设置。</translation>
    </message>
</context>
<context>
    <name>TrainingPanel</name>
    <message>
        <source>training is running (Stop it to edit the model)</source>
        <translation>正在训练（停止训练后才能编辑模型）</translation>
    </message>
    <message>
        <source>default</source>
        <translation>默认</translation>
    </message>
    <message>
        <source>kaiming</source>
        <translation>Kaiming</translation>
    </message>
    <message>
        <source>xavier</source>
        <translation>Xavier</translation>
    </message>
    <message>
        <source>5,000 handwritten digits bundled with the app: works offline, trains in seconds</source>
        <translation>应用自带的 5,000 个手写数字：无需联网，几秒就能训练完</translation>
    </message>
    <message>
        <source>70,000 handwritten digits (downloaded once, about 11 MB)</source>
        <translation>70,000 个手写数字（只需下载一次，约 11 MB）</translation>
    </message>
    <message>
        <source>70,000 pictures of clothes in 10 classes (downloaded once, about 30 MB)</source>
        <translation>10 类共 70,000 张服装图片（只需下载一次，约 30 MB）</translation>
    </message>
    <message>
        <source>image folder</source>
        <translation>图像文件夹</translation>
    </message>
    <message>
        <source>Mean squared error against one-hot targets (1 for the right class); the tutorial&apos;s example compares with a random target, torch.randn(10)</source>
        <translation>与 one-hot 目标（正确类别为 1）之间的均方误差；教程的例子是与一个随机目标 torch.randn(10) 比较</translation>
    </message>
    <message>
        <source>Needs LogSoftmax as the last layer</source>
        <translation>最后一层需要是 LogSoftmax</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Not trained yet</source>
        <translation>尚未训练</translation>
    </message>
    <message>
        <source>Not trained: the model changed</source>
        <translation>未训练：模型已改动</translation>
    </message>
    <message>
        <source>Trained: Try it uses these weights</source>
        <translation>已训练：“试一试”使用这些权重</translation>
    </message>
    <message>
        <source>{setting}: {problem} (the project keeps its last usable value)</source>
        <translation>{setting}：{problem}（项目保留上一个可用的值）</translation>
    </message>
    <message>
        <source>Cannot start: {setting}: {problem}</source>
        <translation>无法开始：{setting}：{problem}</translation>
    </message>
    <message>
        <source>Cannot start: the model has problems. Fix them first (see the Problems tab).</source>
        <translation>无法开始：模型有问题。请先修复（见“问题”标签页）。</translation>
    </message>
    <message>
        <source>Cannot start: {problem}</source>
        <translation>无法开始：{problem}</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>Paused: Resume carries on where it stopped.</source>
        <translation>已暂停：点击“继续”会从停下的地方接着训练。</translation>
    </message>
    <message>
        <source>Downloading {what}…</source>
        <translation>正在下载 {what}…</translation>
    </message>
    <message>
        <source>Training on {count:,} samples ({device}, seed {seed}); {held:,} held out to test.</source>
        <translation>在 {count:,} 个样本上训练（{device}，随机种子 {seed}）；{held:,} 个作为验证集。</translation>
    </message>
    <message>
        <source>Epoch {epoch} · step {step:,}/{steps:,} · {speed:,.0f} samples/s · ETA {eta}</source>
        <translation>第 {epoch} 轮 · 第 {step:,}/{steps:,} 步 · {speed:,.0f} 样本/秒 · 预计剩余 {eta}</translation>
    </message>
    <message>
        <source>Epoch {epoch}/{epochs}: held-out accuracy {accuracy:.1%}, loss {loss:.4f} (held-out {held_loss:.4f}), {speed:,.0f} samples/s</source>
        <translation>第 {epoch}/{epochs} 轮：验证集准确率 {accuracy:.1%}，损失 {loss:.4f}（验证集 {held_loss:.4f}），{speed:,.0f} 样本/秒</translation>
    </message>
    <message>
        <source>Training stopped: another project was opened.</source>
        <translation>训练已停止：打开了另一个项目。</translation>
    </message>
    <message>
        <source>Stopped before the first epoch ended: no weights were kept.</source>
        <translation>在第一轮结束前就停止了：没有保留权重。</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>{how}: best held-out accuracy {accuracy:.1%} (epoch {epoch}). The weights belong to the project now: Save keeps them.</source>
        <translation>{how}：最佳验证集准确率 {accuracy:.1%}（第 {epoch} 轮）。权重现在属于这个项目：保存即可保留它们。</translation>
    </message>
    <message>
        <source>{how} after 1 epoch</source>
        <translation>{how}，共 1 轮</translation>
    </message>
    <message>
        <source>{how} after {count} epochs</source>
        <translation>{how}，共 {count} 轮</translation>
    </message>
    <message>
        <source>Stopped early after {count} of {epochs} epochs: no better held-out loss for {patience} epochs</source>
        <translation>提前停止，共训练 {count}/{epochs} 轮：验证集损失已连续 {patience} 轮没有改善</translation>
    </message>
    <message>
        <source>Stopped early after {count} of {epochs} epochs: no better held-out loss for 1 epoch</source>
        <translation>提前停止，共训练 {count}/{epochs} 轮：验证集损失已有 1 轮没有改善</translation>
    </message>
    <message>
        <source>The best weights before the failure (epoch {epoch}, held-out accuracy {accuracy:.1%}) are kept: Save keeps them.</source>
        <translation>失败前最好的权重（第 {epoch} 轮，验证集准确率 {accuracy:.1%}）已保留：保存即可保留它们。</translation>
    </message>
    <message>
        <source>Failed; the best weights so far are kept</source>
        <translation>失败；已保留目前最好的权重</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Another training run holds the model</source>
        <translation>另一个训练正在占用模型</translation>
    </message>
    <message>
        <source>The model has problems: fix them first</source>
        <translation>模型有问题：请先修复</translation>
    </message>
    <message>
        <source>&amp;Train…</source>
        <translation>训练(&amp;T)…</translation>
    </message>
    <message>
        <source>Show the training panel</source>
        <translation>显示训练面板</translation>
    </message>
</context>
<context>
    <name>TryPanel</name>
    <message>
        <source>Images (*.png *.jpg *.jpeg *.bmp *.gif *.tif *.tiff *.webp)</source>
        <translation>图像 (*.png *.jpg *.jpeg *.bmp *.gif *.tif *.tiff *.webp)</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <source>Undo stroke</source>
        <translation>撤销一笔</translation>
    </message>
    <message>
        <source>Open image…</source>
        <translation>打开图像…</translation>
    </message>
    <message>
        <source>The 28×28 image the model sees: cropped to the ink, scaled to fit 20×20,
centred by its centre of mass, as MNIST&apos;s digits were.</source>
        <translation>模型看到的 28×28 图像：裁剪到笔迹范围，缩放到 20×20 以内，
按质心居中，和 MNIST 的数字一样。</translation>
    </message>
    <message>
        <source>Train on mnist-5k now (2 epochs)</source>
        <translation>现在用 mnist-5k 训练（2 轮）</translation>
    </message>
    <message>
        <source>The picture the model sees: resized to its Input&apos;s {width}×{height} pixels, as its training pictures were.</source>
        <translation>模型看到的图片：和它的训练图片一样，缩放到 Input 的 {width}×{height} 像素。</translation>
    </message>
    <message>
        <source>{file}: not a readable image ({error})</source>
        <translation>{file}：不是可读取的图像（{error}）</translation>
    </message>
    <message>
        <source>Open an image to classify</source>
        <translation>打开要分类的图像</translation>
    </message>
    <message>
        <source>Drop or open a picture</source>
        <translation>拖入或打开一张图片</translation>
    </message>
    <message>
        <source>Load &amp;Weights…</source>
        <translation>载入权重(&amp;W)…</translation>
    </message>
    <message>
        <source>Load a state_dict (.pt or .safetensors) into this project, with a compatibility report</source>
        <translation>把 state_dict（.pt 或 .safetensors）载入这个项目，并给出兼容性报告</translation>
    </message>
</context>
<context>
    <name>Tryout</name>
    <message>
        <source>Training ended without a result.</source>
        <translation>训练结束，但没有结果。</translation>
    </message>
    <message>
        <source>The model has errors: fix them on the canvas to try it out.</source>
        <translation>模型有错误：请先在画布上修复，再来试一试。</translation>
    </message>
    <message>
        <source>The model&apos;s output has shape {shape}: to classify digits it needs one score per class; end it with Linear(…, 10).</source>
        <translation>模型的输出形状是 {shape}：要对数字分类，每个类别需要一个分数；请以 Linear(…, 10) 结尾。</translation>
    </message>
    <message>
        <source>Training on mnist-5k…</source>
        <translation>正在用 mnist-5k 训练…</translation>
    </message>
    <message>
        <source>This model has not been trained yet: its answers are guesses.</source>
        <translation>这个模型还没有训练过：它的回答只是猜测。</translation>
    </message>
    <message>
        <source>Trained weights loaded: drop or open a picture, or draw on the pad.</source>
        <translation>已载入训练好的权重：拖入或打开一张图片，或者在画板上画。</translation>
    </message>
    <message>
        <source>Trained weights loaded: draw a digit.</source>
        <translation>已载入训练好的权重：写一个数字吧。</translation>
    </message>
    <message>
        <source>{problem}: the answers are shown as class numbers.</source>
        <translation>{problem}：回答以类别编号显示。</translation>
    </message>
    <message>
        <source>Training on mnist-5k from the drawing pad…</source>
        <translation>正在从画板用 mnist-5k 训练…</translation>
    </message>
    <message>
        <source>Training was cancelled.</source>
        <translation>训练已取消。</translation>
    </message>
    <message>
        <source>The quick training was stopped: another project was opened, and its weights are not kept.</source>
        <translation>快速训练已停止：打开了另一个项目，它的权重不会保留。</translation>
    </message>
    <message>
        <source>The quick training&apos;s weights were not kept: they were trained for another project.</source>
        <translation>快速训练得到的权重没有保留：它们是为另一个项目训练的。</translation>
    </message>
    <message>
        <source>Training failed: {error}</source>
        <translation>训练失败：{error}</translation>
    </message>
    <message>
        <source>Trained on mnist-5k: {accuracy:.1%} of held-out digits right.</source>
        <translation>已用 mnist-5k 训练：验证集中 {accuracy:.1%} 的数字识别正确。</translation>
    </message>
</context>
<context>
    <name>WeightsDialog</name>
    <message>
        <source>Load weights: {file}</source>
        <translation>载入权重：{file}</translation>
    </message>
    <message>
        <source>Tensor</source>
        <translation>张量</translation>
    </message>
    <message>
        <source>In the file</source>
        <translation>文件中</translation>
    </message>
    <message>
        <source>The model expects</source>
        <translation>模型需要</translation>
    </message>
    <message>
        <source>Load</source>
        <translation>载入</translation>
    </message>
    <message>
        <source>Partial load</source>
        <translation>部分载入</translation>
    </message>
    <message>
        <source>Load only the tensors that match; the others keep fresh random values.</source>
        <translation>只载入匹配的张量；其余的保留新的随机初始值。</translation>
    </message>
    <message>
        <source>Reading {file}…</source>
        <translation>正在读取 {file}…</translation>
    </message>
    <message>
        <source>The model was edited while the weights were read: load them again.</source>
        <translation>读取权重时模型被修改了：请重新载入。</translation>
    </message>
    <message>
        <source>The model is being trained: load weights when training has finished.</source>
        <translation>模型正在训练：请在训练结束后再载入权重。</translation>
    </message>
    <message>
        <source>Keys renamed from the imported file&apos;s model to the project&apos;s layer names.</source>
        <translation>键名已从导入文件中模型的名字改为本项目的层名。</translation>
    </message>
    <message>
        <source>Nothing is loaded unless you choose a partial load.</source>
        <translation>除非选择“部分载入”，否则不会载入任何内容。</translation>
    </message>
    <message>
        <source>Partial load (1 matching tensor)</source>
        <translation>部分载入（1 个匹配的张量）</translation>
    </message>
    <message>
        <source>Partial load ({count} matching tensors)</source>
        <translation>部分载入（{count} 个匹配的张量）</translation>
    </message>
    <message>
        <source>{group} ({count})</source>
        <translation>{group}（{count}）</translation>
    </message>
    <message>
        <source>Shape differs</source>
        <translation>形状不同</translation>
    </message>
    <message>
        <source>Missing from the file</source>
        <translation>文件中缺少</translation>
    </message>
    <message>
        <source>Not in the model</source>
        <translation>模型中没有</translation>
    </message>
    <message>
        <source>Matching</source>
        <translation>匹配</translation>
    </message>
    <message>
        <source>Load weights into this project</source>
        <translation>为这个项目载入权重</translation>
    </message>
    <message>
        <source>Weights (*.pt *.pth *.safetensors);;All files (*)</source>
        <translation>权重文件 (*.pt *.pth *.safetensors);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Loaded some of the weights from {file}</source>
        <translation>已从 {file} 载入部分权重</translation>
    </message>
    <message>
        <source>Loaded the weights from {file}</source>
        <translation>已从 {file} 载入权重</translation>
    </message>
</context>
<context>
    <name>WindowMenus</name>
    <message>
        <source>&amp;New</source>
        <translation>新建(&amp;N)</translation>
    </message>
    <message>
        <source>New from &amp;Template</source>
        <translation>从模板新建(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Open…</source>
        <translation>打开(&amp;O)…</translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <source>Save &amp;As…</source>
        <translation>另存为(&amp;A)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>重做(&amp;R)</translation>
    </message>
    <message>
        <source>Cu&amp;t</source>
        <translation>剪切(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>复制(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Paste</source>
        <translation>粘贴(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Duplicate</source>
        <translation>制作副本(&amp;D)</translation>
    </message>
    <message>
        <source>De&amp;lete</source>
        <translation>删除(&amp;L)</translation>
    </message>
    <message>
        <source>Select &amp;All</source>
        <translation>全选(&amp;A)</translation>
    </message>
    <message>
        <source>Zoom &amp;In</source>
        <translation>放大(&amp;I)</translation>
    </message>
    <message>
        <source>Zoom &amp;Out</source>
        <translation>缩小(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Actual Size</source>
        <translation>实际大小(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Fit to View</source>
        <translation>适合窗口(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Snap to Grid</source>
        <translation>对齐网格(&amp;S)</translation>
    </message>
    <message>
        <source>Pa&amp;nels</source>
        <translation>面板(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Reset Layout</source>
        <translation>重置布局(&amp;R)</translation>
    </message>
    <message>
        <source>Auto-&amp;layout</source>
        <translation>自动排列(&amp;L)</translation>
    </message>
    <message>
        <source>Add &amp;Skip Connection</source>
        <translation>添加跳跃连接(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Check Shapes</source>
        <translation>检查形状(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Keyboard Shortcuts</source>
        <translation>键盘快捷键(&amp;K)</translation>
    </message>
    <message>
        <source>&amp;About NetDesigner</source>
        <translation>关于 NetDesigner(&amp;A)</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <source>Skip connection added: the run&apos;s input is added to its output.</source>
        <translation>已添加跳跃连接：这一段的输入被加到它的输出上。</translation>
    </message>
    <message>
        <source>Zoom</source>
        <translation>缩放</translation>
    </message>
    <message>
        <source>mouse wheel</source>
        <translation>鼠标滚轮</translation>
    </message>
    <message>
        <source>Pan</source>
        <translation>平移</translation>
    </message>
    <message>
        <source>middle drag, or Space + drag</source>
        <translation>中键拖动，或按住空格拖动</translation>
    </message>
    <message>
        <source>Connect</source>
        <translation>连线</translation>
    </message>
    <message>
        <source>drag from an output port to a block</source>
        <translation>从输出端口拖到一个块上</translation>
    </message>
    <message>
        <source>Nudge</source>
        <translation>微调位置</translation>
    </message>
    <message>
        <source>arrow keys (Shift: ×5)</source>
        <translation>方向键（Shift：×5）</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <source>About NetDesigner</source>
        <translation>关于 NetDesigner</translation>
    </message>
    <message>
        <source>NetDesigner: design a neural network with the mouse, see every shape as it changes, train it and try it out.</source>
        <translation>NetDesigner：用鼠标设计神经网络，随时看到每个形状的变化，训练它并试用它。</translation>
    </message>
</context>
</TS>
