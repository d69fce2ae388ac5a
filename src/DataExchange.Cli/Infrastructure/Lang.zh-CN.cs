using System.Text.RegularExpressions;

namespace DataExchange.Cli.Infrastructure;

public static partial class Lang
{
    /// <summary>Simplified Chinese of dx's messages, hints and table headers, keyed by the English.</summary>
    static readonly Dictionary<string, string> ZhCn = new(StringComparer.Ordinal)
    {
        ["error:"] = "错误：", ["hint:"] = "提示：", ["No results."] = "没有结果。", ["Cancelled."] = "已取消。", ["No rejected rows."] = "没有拒收的行。",
        ["More results available: use --all, or a larger --limit."] = "还有更多结果：使用 --all，或更大的 --limit。",
        ["Saved to {0}"] = "已保存到 {0}", ["Logged in to {0} as {1}"] = "已登录 {0}，身份 {1}",
        ["Registered dataset {0}"] = "已登记数据集 {0}", ["Registered dataset {0}."] = "已登记数据集 {0}。", ["Registered schema version {0}"] = "已登记结构版本 {0}",
        ["Updated the metadata of {0}."] = "已更新 {0} 的元数据。", ["Updated the feed of {0}."] = "已更新 {0} 的数据源。",
        ["Run {0} is {1}."] = "运行 {0} 的状态：{1}。", ["Revoked subscription {0}."] = "已撤销订阅 {0}。", ["Revoked key {0}."] = "已吊销密钥 {0}。",
        ["Created agency {0}"] = "已创建机构 {0}", ["Compatible (mode {0})."] = "兼容（规则 {0}）。", ["Evidence written to {0}."] = "凭证已写入 {0}。",
        ["Uploading {0} ({1} bytes)…"] = "正在上传 {0}（{1} 字节）……",
        ["See rejected rows with: dx runs rejected {0}"] = "查看拒收的行：dx runs rejected {0}",
        ["Follow it with: dx runs show {0} {1} (or use --watch next time)"] = "跟踪进度：dx runs show {0} {1}（或下次使用 --watch）",
        ["Copy this key now: it will not be shown again. Store it like a password."] = "请立即复制此密钥：它不会再次显示。请像密码一样保管。",
        ["Could not reach the server at {0}: {1}"] = "无法连接服务器 {0}：{1}", ["Could not reach the server: {0}"] = "无法连接服务器：{0}",
        ["Unexpected error: {0}"] = "意外错误：{0}",
        ["run dx login --server URL --key KEY (or set DX_SERVER and DX_KEY)"] = "运行 dx login --server URL --key KEY（或设置 DX_SERVER 和 DX_KEY）",
        ["see dx --help, or dx COMMAND --help"] = "参见 dx --help 或 dx 命令 --help",
        ["check the local file path and permissions"] = "请检查本地文件路径和权限",
        ["run dx login with a valid key"] = "请用有效的密钥运行 dx login",
        ["your key lacks the role named above; dx me shows the roles it has"] = "您的密钥缺少上面所说的角色；dx me 可显示它拥有的角色",
        ["only stewards of the agency that owns the dataset (its id starts with the agency code) may do this; dx me shows your key's agency"] = "只有数据集所属机构（其 id 以机构代码开头）的数据管理员可以执行此操作；dx me 可显示您的密钥所属机构",
        ["this needs a key of the operator agency"] = "这需要运营方机构的密钥",
        ["your key lacks the role, or you need an approved subscription: dx subscriptions request DATASET --purpose \"...\""] = "您的密钥缺少角色，或者需要已批准的订阅：dx subscriptions request 数据集 --purpose \"……\"",
        ["check the id with dx datasets list"] = "请用 dx datasets list 核对 id",
        ["it already exists or was changed meanwhile; check the current state with the matching list/show command"] = "它已存在或已被修改；请用相应的 list/show 命令查看当前状态",
        ["fix the fields listed above and retry"] = "请修正上面列出的字段后重试",
        ["the server failed; retry later, and tell the operator the time of the failure if it persists"] = "服务器出错；请稍后重试，如果持续出错，请把出错时间告诉运营方",
        ["the server failed; retry later, and tell the operator the trace id above if it persists"] = "服务器出错；请稍后重试，如果持续出错，请把上面的 trace id 告诉运营方",
        ["  trace: {0}"] = "  跟踪号：{0}",
        // Table headers.
        ["Action"] = "操作", ["Agency"] = "机构", ["At"] = "时间", ["Case"] = "案件", ["Client"] = "客户端", ["Code"] = "代码", ["Consumer"] = "使用机构", ["Created"] = "创建时间",
        ["Dataset"] = "数据集", ["Decided"] = "决定时间", ["Del"] = "删", ["Deleted"] = "删除", ["Details"] = "详情", ["Expires"] = "到期", ["Fields"] = "字段", ["Finished"] = "结束时间",
        ["Found"] = "找到", ["Id"] = "编号", ["Ins"] = "增", ["Inserted"] = "新增", ["Kept"] = "保留", ["Message"] = "消息", ["Name"] = "名称", ["New"] = "新", ["Old"] = "旧",
        ["Outcome"] = "结果", ["Owner"] = "所属机构", ["Pointer"] = "位置", ["Published"] = "发布", ["Purpose"] = "用途", ["Read"] = "读取", ["Reason"] = "理由", ["Rejected"] = "拒收",
        ["Roles"] = "角色", ["Rows"] = "行数", ["Rule"] = "规则", ["Run"] = "运行", ["Schema"] = "结构", ["Seq"] = "序号", ["Started"] = "开始时间", ["Status"] = "状态", ["Tags"] = "标签",
        ["Target"] = "对象", ["Title"] = "标题", ["Total"] = "合计", ["Trigger"] = "触发方式", ["Upd"] = "改", ["Updated"] = "更新", ["Version"] = "版本",
    };

    /// <summary>The entries with holes as patterns, the longest first (declared after <see cref="ZhCn"/>, which it reads).</summary>
    static readonly Lazy<IReadOnlyList<(Regex Pattern, string Translation)>> Templates = new(() =>
        [.. ZhCn.Where(p => p.Key.Contains("{0}", StringComparison.Ordinal)).OrderByDescending(p => p.Key.Length)
            .Select(p => (new Regex("^" + Hole().Replace(Regex.Escape(p.Key), "(.+?)") + "$", RegexOptions.Singleline, TimeSpan.FromMilliseconds(100)), p.Value))]);
}
