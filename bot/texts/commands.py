"""Each chat command's usage line and what /help says it does, by command name (the registry
in bot/conversation/registry.py lists them; the handlers in bot/commands/ register with them)."""

from __future__ import annotations

USAGE = {
    "web": "/web",
    "giahan": "/giahan N DD/MM/YYYY LÝ_DO",
    "duyet": "/duyet N [ĐƠN_VỊ]",
    "tuchoi": "/tuchoi N [ĐƠN_VỊ] LÝ_DO",
    "summary": "/summary [N|chart]",
    "export": "/export [6thang|nam]",
    "ghinhan": "/ghinhan N ĐƠN_VỊ NỘI_DUNG",
    "overdue": "/overdue",
    "remind": "/remind N [ĐƠN_VỊ]",
    "activate": "/activate N DD/MM/YYYY",
    "moi": "/moi ĐƠN_VỊ VAI_TRÒ HỌ_TÊN",
    "danhsach": "/danhsach",
    "huy": "/huy NGƯỜI",
    "vang": "/vang DD/MM/YYYY",
    "hoanlai": "/hoanlai N [SỐ_NGÀY]",
    "xacnhan": "/xacnhan N [ĐƠN_VỊ]",
    "tralai": "/tralai N [ĐƠN_VỊ] LÝ_DO",
    "gobo": "/gobo N [ĐƠN_VỊ]",
    "chapnhan": "/chapnhan N ĐƠN_VỊ",
    "khongchapnhan": "/khongchapnhan N ĐƠN_VỊ LÝ_DO",
    "chitieu": "/chitieu [ĐƠN_VỊ] [MÃ SỐ …]",
    "start": "/start",
    "help": "/help",
    "tasks": "/tasks",
    "status": "/status N NỘI_DUNG",
    "prefer": "/prefer",
}
ABOUT = {
    "web": "liên kết dùng một lần vào trang làm việc (xem, xác nhận, tải báo cáo trên máy tính)",
    "giahan": "xin gia hạn nhiệm vụ N đến ngày mới, ví dụ /giahan 4 15/07/2026 chờ ý kiến lãnh đạo",
    "duyet": "đồng ý đề nghị gia hạn nhiệm vụ N của đơn vị",
    "tuchoi": "không đồng ý đề nghị gia hạn nhiệm vụ N, kèm lý do",
    "summary": (
        "tổng hợp tiến độ theo nhiệm vụ, theo đơn vị, đơn vị chưa báo cáo; "
        "/summary N: lịch sử báo cáo nhiệm vụ N; /summary chart: biểu đồ; "
        "với đơn vị: điểm, xếp loại của đơn vị mình và lý do"
    ),
    "export": "bảng tổng hợp (Excel) và dự thảo báo cáo (Word) của kỳ báo cáo gửi thành phố",
    "ghinhan": "ghi nhận hộ tình trạng đơn vị báo qua điện thoại hoặc văn bản, ví dụ /ghinhan 3 VP đã xong",
    "overdue": "nhiệm vụ quá hạn",
    "remind": "nhắc ngay nhiệm vụ N (cho mọi đơn vị của nhiệm vụ, hoặc một đơn vị)",
    "activate": "đặt thời hạn cho nhiệm vụ có điều kiện, ví dụ /activate 15 30/09/2026",
    "moi": "thêm người của đơn vị (trưởng, cấp phó/đầu mối, văn phòng, lãnh đạo) và cấp mã liên kết",
    "danhsach": "người đã thêm của từng đơn vị: vai trò, kênh, lần trả lời gần nhất, ai không liên lạc được",
    "huy": "hủy liên kết một người (theo họ tên, hoặc đơn vị và vai trò); lịch sử được giữ",
    "vang": "thủ trưởng vắng đến hết ngày đó: nhắc việc gửi cả cho cấp phó/đầu mối; /vang het khi đã về",
    "hoanlai": "hoãn lời nhắc tiếp theo của nhiệm vụ N thêm SỐ_NGÀY ngày làm việc (mặc định 3), không quá thời hạn",
    "xacnhan": "xác nhận nhiệm vụ N đã hoàn thành (đã xem sản phẩm đơn vị gửi)",
    "tralai": "trả lại nhiệm vụ N đơn vị báo xong (nêu lý do); nhiệm vụ mở lại và tiếp tục được nhắc",
    "gobo": "gỡ vướng nhiệm vụ N: đơn vị hết vướng mắc, nhắc quá hạn tiếp tục",
    "chapnhan": "chấp nhận đề nghị không thực hiện (không phát sinh, không thuộc chức năng) của đơn vị",
    "khongchapnhan": "không chấp nhận đề nghị không thực hiện (nêu lý do); nhiệm vụ mở lại và tiếp tục được nhắc",
    "chitieu": "chỉ tiêu đơn vị cần báo cáo số liệu; báo số liệu, ví dụ /chitieu hoinghi 12 tructuyen 8",
    "start": "chào lại và xem nhiệm vụ đang mở",
    "help": "danh sách lệnh",
    "tasks": "nhiệm vụ đang mở của đơn vị",
    "status": "báo cáo nhiệm vụ số N, ví dụ /status 3 đang làm 50%",
    "prefer": "nhận nhắc việc qua kênh đang dùng (khi liên kết cả Telegram và Zalo)",
}

# /help's headings and its last line, and the office mark in Telegram's command menu.
HELP_HEADING = "Các lệnh:"
HELP_OFFICE_HEADING = "Dành cho văn phòng theo dõi kế hoạch:"
HELP_ANSWER_HINT = 'Có thể trả lời trực tiếp tin nhắc việc: "đã xong", "đang làm 50%", "vướng: lý do".'
MENU_OFFICE_MARK = " (văn phòng)"
